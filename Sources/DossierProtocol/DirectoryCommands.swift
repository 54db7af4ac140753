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

/// `CALENDAR SET <date> workday|holiday [note=]`.
public struct CalendarSet: Hashable, Sendable {
    public var date: CalendarDate
    public var kind: CalendarDayKind
    public var note: String?
    public init(date: CalendarDate, kind: CalendarDayKind, note: String?) { self.date = date; self.kind = kind; self.note = note }
}
