/// The inputs of a reducer that runs effects: an input raised while the effects of an earlier one run (a write
/// that finds the peer gone, an answer given at once) is reduced after it, in order, never re-entrantly.
///
/// ```swift
/// guard inbox.enqueue(event) else { return }   // a drain is already running: it will get there
/// while let next = inbox.take() { reduce(next) and run its effects }
/// ```
/// Loop-thread only, like the state it guards.
final class SerialInbox<Event> {
    private var pending: [Event] = []
    private var position = 0
    private var draining = false

    /// Queues `event`. Returns `true` when no drain is running, so the caller must start one now.
    func enqueue(_ event: Event) -> Bool {
        pending.append(event)
        if draining { return false }
        draining = true
        return true
    }

    /// The next input in order; `nil` ends the drain.
    func take() -> Event? {
        if position < pending.count {
            defer { position += 1 }
            return pending[position]
        }
        // Read by index and emptied at the end, not removed from the front: that would move every later input.
        pending.removeAll(keepingCapacity: pending.capacity <= 64)
        position = 0
        draining = false
        return nil
    }
}
