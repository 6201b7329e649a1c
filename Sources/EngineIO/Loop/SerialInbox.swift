/// The inputs of a reducer that runs effects: an input raised while the effects of an earlier one run (a write
/// that finds the peer gone, an answer given at once) is reduced after it, in order, never re-entrantly.
///
/// ```swift
/// inbox.process(event) { next in reduce(next) and run its effects }
/// ```
/// Loop-thread only, like the state it guards.
final class SerialInbox<Event> {
    private var pending: [Event] = []
    private var position = 0
    private var draining = false

    /// Runs `body` on `event` now, then on every input raised meanwhile, in order. Called from inside `body` (an
    /// effect raising an input), it only queues `event` for the run already under way. The common case, an input
    /// that raises none, never touches the queue. Returns `false` when it only queued.
    @discardableResult
    func process(_ event: Event, _ body: (Event) -> Void) -> Bool {
        if draining {
            pending.append(event)
            return false
        }
        draining = true
        body(event)
        // Read by index and emptied at the end, not removed from the front: that would move every later input.
        while position < pending.count {
            let next = pending[position]
            position += 1
            body(next)
        }
        if !pending.isEmpty { pending.removeAll(keepingCapacity: pending.capacity <= 64) }
        position = 0
        draining = false
        return true
    }
}
