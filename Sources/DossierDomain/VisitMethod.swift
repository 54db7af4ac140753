/// How a follow-up visit was made (seed 001: 电话访问为主，必要时上门访问).
public enum VisitMethod: String, WireEnum {
    case phone
    case visit
    case other
}

/// What `FOLLOWUP LIST status=` selects: visits still to make (`due`: their
/// day has not ended), those whose day ended unrecorded (`overdue`), recorded
/// ones (`done`), cancelled ones (`cancelled`: listed only when asked for).
public enum VisitStatusFilter: String, WireEnum {
    case due
    case overdue
    case done
    case cancelled
}
