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

    /// `encode(response)` as UTF-8, appended to `out`.
    public func encode(_ response: Response, into out: inout [UInt8]) {
        switch format {
        case .text: TextResponseEncoder.encode(response, into: &out)
        case .json: out.append(contentsOf: JSONResponseEncoder.encode(response).utf8)
        }
    }
}
