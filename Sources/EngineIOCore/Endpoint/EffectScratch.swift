/// An array a reducer lends itself from step to step, to collect the effects of an inner machine without
/// allocating one per step. It is empty between steps, so it is no part of the state's value: two scratches are
/// always equal, hash to nothing, and encode as nothing.
struct EffectScratch<Effect>: Hashable, Codable, Sendable where Effect: Sendable {
    private var spare: [Effect] = []

    /// Past this capacity a returned array is let go, so one burst does not hold memory for good.
    static var keptCapacity: Int { 64 }

    init() {}

    /// An empty array, with the capacity kept from earlier steps when there is one to give.
    mutating func take() -> [Effect] {
        var taken: [Effect] = []
        swap(&taken, &spare)
        return taken
    }

    /// Takes `effects` back once they have been handled, emptied and with their capacity kept (unless too large).
    mutating func give(back effects: inout [Effect]) {
        guard effects.capacity <= Self.keptCapacity else { return }
        effects.removeAll(keepingCapacity: true)
        swap(&effects, &spare)
    }

    static func == (lhs: Self, rhs: Self) -> Bool { true }
    func hash(into hasher: inout Hasher) {}
    init(from decoder: any Decoder) throws { self.init() }
    func encode(to encoder: any Encoder) throws {}
}
