/// Classification level (密级), ordered from least to most restricted.
public enum Level: String, WireEnum, Comparable {
    case `internal`
    case secret
    case confidential
    case topSecret = "top_secret"

    private var rank: Int {
        switch self {
        case .internal: 0
        case .secret: 1
        case .confidential: 2
        case .topSecret: 3
        }
    }

    public static func < (lhs: Level, rhs: Level) -> Bool { lhs.rank < rhs.rank }
}
