/// Encodes a response in the connection's current output format.
public struct ResponseEncoder: Hashable, Sendable {
    public var format: OutputFormat

    public init(format: OutputFormat = .text) { self.format = format }

    /// The complete response, every line ending in `\n`.
    public func encode(_ response: Response) -> String {
        switch format {
        case .text: TextResponseEncoder.encode(response)
        case .json: JSONResponseEncoder.encode(response)
        }
    }
}
