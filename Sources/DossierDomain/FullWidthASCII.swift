/// The full-width forms of ASCII (U+FF01 `！` … U+FF5E `～`) that a Chinese input
/// method types in full-width mode, and the ASCII they stand for.
public enum FullWidthASCII {
    /// `raw` with every full-width ASCII form replaced by its ASCII character;
    /// anything else (Chinese, the ideographic space) unchanged.
    public static func folded(_ raw: String) -> String {
        guard raw.unicodeScalars.contains(where: isFullWidth) else { return raw }
        var out = String.UnicodeScalarView()
        for scalar in raw.unicodeScalars {
            if isFullWidth(scalar), let ascii = Unicode.Scalar(scalar.value - 0xFEE0) {
                out.append(ascii)
            } else {
                out.append(scalar)
            }
        }
        return String(out)
    }

    /// `ascii` with every printable ASCII character (`!` … `~`) in its full-width
    /// form: what an input method in full-width mode types for it.
    public static func widened(_ ascii: String) -> String {
        var out = String.UnicodeScalarView()
        for scalar in ascii.unicodeScalars {
            if (0x21...0x7E).contains(scalar.value), let wide = Unicode.Scalar(scalar.value + 0xFEE0) {
                out.append(wide)
            } else {
                out.append(scalar)
            }
        }
        return String(out)
    }

    static func isFullWidth(_ scalar: Unicode.Scalar) -> Bool { (0xFF01...0xFF5E).contains(scalar.value) }
}
