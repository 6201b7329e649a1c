import Glibc

/// The process's limit on open descriptors (`RLIMIT_NOFILE`), which caps how many connections a server can hold.
public enum FileLimit {
    /// The soft limit now; `Int.max` when unlimited.
    public static var current: Int {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return 0 }
        return Int(clamping: limit.rlim_cur)  // unlimited (all ones) clamps to Int.max
    }

    /// Raises the soft limit towards the hard one, to `wanted` at most (the whole hard limit by default), and
    /// returns the soft limit after. Never lowers it. Many systems start a process at a soft limit of 1,024, which a
    /// server reaches with about a thousand connections although the hard limit allows far more (Go's runtime raises
    /// it the same way at start). For programs: a library should leave the process's limits to its host.
    @discardableResult
    public static func raise(to wanted: Int = .max) -> Int {
        let resource = Int32(RLIMIT_NOFILE.rawValue)
        var limit = rlimit()
        guard getrlimit(resource, &limit) == 0 else { return current }
        let target = min(limit.rlim_max, rlim_t(max(0, wanted)))
        if limit.rlim_cur < target {
            limit.rlim_cur = target
            _ = setrlimit(resource, &limit)
        }
        return current
    }
}
