import Glibc

/// Names the calling thread as `top`, `perf`, gdb and `/proc/<pid>/task/<tid>/comm` show it (Linux keeps 15 bytes).
///
/// Foundation's `Thread.name` does not always reach the kernel when set from inside a new thread (its setter
/// races with the parent still storing the thread's handle): the thread then keeps the name of the thread that
/// started it, a Dispatch worker's `…default-qos`, and looks like one. This writes the kernel's own record.
public func nameCurrentThread(_ name: String) {
    let fd = open("/proc/thread-self/comm", O_WRONLY | O_CLOEXEC)
    guard fd >= 0 else { return }
    defer { close(fd) }
    let bytes = Array(name.utf8.prefix(15))
    _ = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
}
