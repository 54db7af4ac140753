import DossierDomain

/// `DEPT ADD <code> name=`.
public struct DeptAdd: Hashable, Sendable {
    public var code: DepartmentCode
    public var name: String
    public init(code: DepartmentCode, name: String) { self.code = code; self.name = name }
}

/// `USER ADD <login> name= dept= role= password= [line=]`.
public struct UserAdd: Hashable, Sendable {
    public var login: Login
    public var name: String
    public var department: DepartmentCode
    public var role: Role
    public var password: Password
    /// nil: the server's default (sales).
    public var line: StaffLine?
    public init(login: Login, name: String, department: DepartmentCode, role: Role, password: Password, line: StaffLine?) {
        self.login = login; self.name = name; self.department = department; self.role = role
        self.password = password; self.line = line
    }
}

/// `USER LIST [dept=]`.
public struct UserList: Hashable, Sendable {
    public var department: DepartmentCode?
    public init(department: DepartmentCode?) { self.department = department }
}

/// `USER PASSWD <login> <new>`.
public struct UserPasswd: Hashable, Sendable {
    public var login: Login
    public var newPassword: Password
    public init(login: Login, newPassword: Password) { self.login = login; self.newPassword = newPassword }
}

/// `USER LEAVE <login> successor=`.
public struct UserLeave: Hashable, Sendable {
    public var login: Login
    public var successor: Login
    public init(login: Login, successor: Login) { self.login = login; self.successor = successor }
}

/// `USER SET <login> [name=] [role=] [dept=] [line=] [successor=]`: at least one
/// of name, role, dept, line. `successor=` takes over the user's customers and
/// dossiers when a new department or role means they can no longer keep them.
public struct UserSet: Hashable, Sendable {
    public var login: Login
    public var name: String?
    public var role: Role?
    public var department: DepartmentCode?
    public var line: StaffLine?
    public var successor: Login?
    public init(login: Login, name: String? = nil, role: Role? = nil, department: DepartmentCode? = nil,
                line: StaffLine? = nil, successor: Login? = nil) {
        self.login = login; self.name = name; self.role = role; self.department = department
        self.line = line; self.successor = successor
    }
}

/// `HANDOVER LIST [login]`: handovers where `login` left or took over (all you may see without).
public struct HandoverList: Hashable, Sendable {
    public var login: Login?
    public init(login: Login?) { self.login = login }
}

/// `CALENDAR SET <date>|<from>..<to> workday|holiday [note=]`.
public struct CalendarSet: Hashable, Sendable {
    public var days: DateRange
    public var kind: CalendarDayKind
    public var note: String?
    public init(days: DateRange, kind: CalendarDayKind, note: String?) { self.days = days; self.kind = kind; self.note = note }
}

/// `CALENDAR LIST [month=|year=]`: nil for both means the current year (company time zone).
public struct CalendarList: Hashable, Sendable {
    public var month: YearMonth?
    public var year: Int?
    public init(month: YearMonth? = nil, year: Int? = nil) { self.month = month; self.year = year }
}

/// `COMPANY SET timezone=`: company-wide settings, stored in the database.
public struct CompanySet: Hashable, Sendable {
    public var timeZone: String?
    public var consentRule: ConsentRule?
    public init(timeZone: String? = nil, consentRule: ConsentRule? = nil) {
        self.timeZone = timeZone
        self.consentRule = consentRule
    }
}
