/// A closed set of values with one fixed wire spelling each (the raw value).
///
/// Wire spellings are case-sensitive: `level=Secret` is not `level=secret`.
/// Only verbs are case-insensitive on the wire (PROTOCOL.md).
public protocol WireEnum: RawRepresentable, CaseIterable, Hashable, Sendable, CustomStringConvertible
where RawValue == String {}

extension WireEnum {
    /// The wire spelling, so that `"\(level)"` prints `top_secret`, not `topSecret`.
    public var description: String { rawValue }

    /// Every wire spelling, in declaration order (used for usage strings and errors).
    public static var wireSpellings: [String] { allCases.map(\.rawValue) }
}
