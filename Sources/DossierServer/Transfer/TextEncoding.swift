import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The text encoding of a spreadsheet file: what Excel writes on Chinese
/// Windows (GBK, read and written as its superset GB18030) or UTF-8 (with or
/// without the byte order mark Excel puts before "CSV UTF-8").
public enum TextEncoding: String, Sendable, CaseIterable {
    case utf8 = "utf-8"
    case gbk
    /// Reading only: UTF-8 when there is a BOM or the bytes are valid UTF-8, else GBK.
    case auto

    public struct Failure: Error, Sendable, CustomStringConvertible {
        public let description: String
    }

    static let byteOrderMark: [UInt8] = [0xEF, 0xBB, 0xBF]

    /// Decodes a whole file; a UTF-8 BOM is dropped.
    public func decode(_ bytes: [UInt8]) throws(Failure) -> String {
        let hasBOM = bytes.starts(with: Self.byteOrderMark)
        let body = hasBOM ? Array(bytes.dropFirst(3)) : bytes
        switch self {
        case .utf8:
            guard let text = String(validating: body, as: UTF8.self) else {
                throw Failure(description: "the file is not valid UTF-8 (try --encoding gbk)")
            }
            return text
        case .gbk:
            return try Iconv.convert(body, from: "GB18030", to: "UTF-8").map { String(decoding: $0, as: UTF8.self) }.get()
        case .auto:
            if hasBOM { return try Self.utf8.decode(body) }
            if let text = String(validating: body, as: UTF8.self) { return text }
            return try Self.gbk.decode(body)
        }
    }

    /// Encodes for writing: UTF-8 with a BOM (so Excel picks UTF-8), or GBK (GB18030).
    public func encode(_ text: String) throws(Failure) -> [UInt8] {
        switch self {
        case .utf8, .auto:
            return Self.byteOrderMark + Array(text.utf8)
        case .gbk:
            return try Iconv.convert(Array(text.utf8), from: "UTF-8", to: "GB18030").get()
        }
    }
}

/// iconv(3) from the C library: Foundation on Linux has no GBK.
enum Iconv {
    static func convert(_ input: [UInt8], from source: String, to target: String) -> Result<[UInt8], TextEncoding.Failure> {
        let descriptor = iconv_open(target, source)
        guard let descriptor, descriptor != iconv_t(bitPattern: -1) else {
            return .failure(.init(description: "this system's iconv cannot convert \(source) to \(target)"))
        }
        defer { iconv_close(descriptor) }
        if input.isEmpty { return .success([]) }
        var output = [UInt8](repeating: 0, count: input.count * 2 + 16)
        var inputCopy = input
        var produced = 0
        var failure: TextEncoding.Failure?
        inputCopy.withUnsafeMutableBytes { inputBytes in
            var inPointer: UnsafeMutablePointer<CChar>? = inputBytes.baseAddress?.assumingMemoryBound(to: CChar.self)
            var inLeft = inputBytes.count
            while inLeft > 0 {
                let capacity = output.count - produced
                let (status, written, error): (Int, Int, Int32) = output.withUnsafeMutableBytes { outputBytes in
                    var outPointer: UnsafeMutablePointer<CChar>? = outputBytes.baseAddress.map {
                        ($0 + produced).assumingMemoryBound(to: CChar.self)
                    }
                    var outLeft = capacity
                    let status = iconv(descriptor, &inPointer, &inLeft, &outPointer, &outLeft)
                    return (status, capacity - outLeft, errno)
                }
                produced += written
                if status != -1 { break }
                if error == E2BIG {
                    output.append(contentsOf: [UInt8](repeating: 0, count: output.count))
                    continue
                }
                let offset = inputBytes.count - inLeft
                failure = .init(description: error == EILSEQ || error == EINVAL
                    ? "the bytes at offset \(offset) are not \(source) text"
                    : "cannot convert \(source) to \(target): \(String(cString: strerror(error)))")
                break
            }
        }
        if let failure { return .failure(failure) }
        return .success(Array(output.prefix(produced)))
    }
}
