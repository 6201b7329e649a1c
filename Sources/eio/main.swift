@main struct EIO { static func main() {} }
