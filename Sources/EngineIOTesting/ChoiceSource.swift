/// Where generators get their randomness: every decision is one bounded integer "choice".
///
/// In generation the choices come from a seeded PRNG and are recorded. In replay they come from a recorded list,
/// each clamped to its bound, and a list that runs out yields 0, the simplest choice. Shrinking edits the list
/// (deleting runs, lowering values) and replays it, so every generator shrinks for free, towards choice 0, without
/// knowing anything about shrinking. This is Hypothesis's design in miniature.
public struct ChoiceSource {
    private enum Mode {
        case random(Xoshiro256)
        case replay([UInt64], position: Int)
    }

    private var mode: Mode
    /// The choices made so far, as replay needs them.
    public private(set) var recorded: [UInt64] = []
    /// A bound on choices per case, so a generator that recurses on its choices always terminates.
    public let maxChoices: Int

    /// A source drawing from a PRNG seeded with `seed`.
    public init(seed: UInt64, maxChoices: Int = 100_000) {
        mode = .random(Xoshiro256(seed: seed))
        self.maxChoices = maxChoices
    }

    /// A source replaying `choices`.
    public init(replaying choices: [UInt64], maxChoices: Int = 100_000) {
        mode = .replay(choices, position: 0)
        self.maxChoices = maxChoices
    }

    /// A choice in `0...bound`; smaller is simpler.
    public mutating func draw(upTo bound: UInt64) -> UInt64 {
        guard recorded.count < maxChoices else { return 0 }
        let value: UInt64
        switch mode {
        case .random(var generator):
            value = bound == .max ? generator.next() : generator.next(upperBound: bound + 1)
            mode = .random(generator)
        case .replay(let choices, let position):
            value = position < choices.count ? min(choices[position], bound) : 0
            mode = .replay(choices, position: position + 1)
        }
        recorded.append(value)
        return value
    }
}
