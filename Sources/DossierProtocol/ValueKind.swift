import DossierDomain

/// The type of an argument's value, as the command table declares it. Decoding is
/// central (here), so every verb validates a date, a ref or a count the same way and
/// with the same message; usage placeholders come from the same place.
public enum ValueKind: Hashable, Sendable {
    /// Free text; a required one must not be blank, an optional one that is empty
    /// counts as absent.
    case text
    /// Free text of at most this many characters: the schema's CHECK, mirrored
    /// so that an over-long value is refused here, naming its limit.
    case limitedText(Int)
    /// A password: non-empty, at most 256 bytes, never echoed or logged.
    case secret
    /// One word of a verb (for `HELP`).
    case word
    case login
    case department
    case customer
    case ref
    case approval
    case loan
    case penalty
    case grant
    case handover
    /// A follow-up visit id `V<n>`.
    case visit
    /// An inspection id `I<n>`.
    case inspection
    case ruleCode
    case creditCode
    /// 公民身份号码, GB 11643 check character.
    case idNumber
    case sha256
    case cursor
    case date
    /// A date or an inclusive range `YYYY-MM-DD..YYYY-MM-DD` (`DateRange`).
    case dateRange
    case month
    /// An IANA time zone name (`Asia/Shanghai`); whether it exists is the database's call.
    case timeZone
    case timeBound
    case money
    /// A credit amount in yuan: 0.01 to 1,000,000,000.00 (`CreditAmount`).
    case creditAmount
    /// A customer number or a receivable id `R<n>` (`CreditTarget`).
    case creditTarget
    /// `month` or a number of days `<n>d` (`InstalmentSchedule.Interval`).
    case repaymentInterval
    case yesNo
    case integer(ClosedRange<Int>)
    /// One of a fixed set of wire spellings (an enum).
    case choice([String])

    /// A `choice` of every spelling of a wire enum.
    public static func choice<E: WireEnum>(of type: E.Type) -> ValueKind { .choice(E.wireSpellings) }

    /// Free text, limited or not (an empty optional one counts as absent).
    public var isText: Bool {
        switch self {
        case .text, .limitedText: true
        default: false
        }
    }

    /// How usage strings show a value of this kind.
    public var placeholder: String {
        switch self {
        case .text, .limitedText: "<text>"
        case .secret: "<password>"
        case .word: "<verb>"
        case .login: "<login>"
        case .department: "<dept>"
        case .customer: "C-YYYY-NNNNN"
        case .ref: "<ref>"
        case .approval: "A<n>"
        case .loan: "L<n>"
        case .penalty: "P<n>"
        case .grant: "G<n>"
        case .handover: "H<n>"
        case .visit: "V<n>"
        case .inspection: "I<n>"
        case .ruleCode: "<rule>"
        case .creditCode: "<credit-code>"
        case .idNumber: "<id-number>"
        case .sha256: "<sha256>"
        case .cursor: "<cursor>"
        case .date: "YYYY-MM-DD"
        case .dateRange: "YYYY-MM-DD[..YYYY-MM-DD]"
        case .month: "YYYY-MM"
        case .timeZone: "<zone>"
        case .timeBound: "<date|time>"
        case .money: "<yuan>"
        case .creditAmount: "<yuan>"
        case .creditTarget: "C-YYYY-NNNNN|R<n>"
        case .repaymentInterval: "month|<n>d"
        case .yesNo: "yes|no"
        case .integer: "<n>"
        case .choice(let spellings): spellings.joined(separator: "|")
        }
    }

    /// Why a value was refused: the text after `ARGS invalid <name>: `. Never
    /// contains the value itself (it may be a secret).
    var expectation: String {
        switch self {
        case .text: "must not be empty"
        case .limitedText(let maximum): "must be 1 to \(maximum) characters"
        case .secret: "must be 1 to 256 bytes"
        case .word: "expected a verb"
        case .login: "expected a login (lowercase letters, digits, '.', '_', '-')"
        case .department: "expected a department code (uppercase letters and digits)"
        case .customer: "expected a customer number C-YYYY-NNNNN"
        case .ref: "expected an archive number DEPT-CAT-YYYY-NNNN or a draft id D<n>"
        case .approval: "expected an approval id A<n>"
        case .loan: "expected a loan id L<n>"
        case .penalty: "expected a penalty id P<n>"
        case .grant: "expected an access grant id G<n>"
        case .handover: "expected a handover id H<n>"
        case .visit: "expected a follow-up visit id V<n>"
        case .inspection: "expected an inspection id I<n>"
        case .ruleCode: "expected a rule code such as LATE_FILING"
        case .creditCode: "expected an 18-character unified social credit code with a valid check character"
        case .idNumber: "expected an 18-character identity card number (GB 11643) with a valid birth date and check character"
        case .sha256: "expected 64 hexadecimal digits"
        case .cursor: "expected the next= cursor of a previous listing"
        case .date: "expected a date YYYY-MM-DD"
        case .dateRange: "expected a date YYYY-MM-DD or a range YYYY-MM-DD..YYYY-MM-DD of at most \(DateRange.maximumDays) days"
        case .month: "expected a month YYYY-MM"
        case .timeZone: "expected a time zone name such as Asia/Shanghai"
        case .timeBound: "expected a date YYYY-MM-DD or an ISO 8601 time with offset"
        case .money: "expected an amount in yuan such as 50.00"
        case .creditAmount: "expected an amount in yuan from 0.01 to 1000000000.00, at most two decimals"
        case .creditTarget: "expected a customer number C-YYYY-NNNNN or a receivable id R<n>"
        case .repaymentInterval: "expected month or a number of days from 1 to 366 such as 30d"
        case .yesNo: "expected yes or no"
        case .integer(let range): "must be a whole number from \(range.lowerBound) to \(range.upperBound)"
        case .choice(let spellings): "expected one of " + spellings.joined(separator: ", ")
        }
    }

    /// Decodes a raw value, or nil if it does not fit this kind. Empty optional text is
    /// handled by the binder before this is called.
    ///
    /// A Chinese input method in full-width mode types `３０００．５０`, `２０２６－１２－２０`
    /// or `Ｄ１２`: every value that is not free text or a password is read with
    /// full-width ASCII folded to ASCII first (`FullWidthASCII`). Text and passwords
    /// are kept exactly as typed.
    func decode(_ raw: String) -> ArgumentValue? {
        switch self {
        case .text, .limitedText, .secret: decodeAsTyped(raw)
        default: decodeAsTyped(FullWidthASCII.folded(raw))
        }
    }

    private func decodeAsTyped(_ raw: String) -> ArgumentValue? {
        switch self {
        case .text:
            return raw.contains(where: { !$0.isWhitespace }) ? .text(raw) : nil
        case .limitedText(let maximum):
            // PostgreSQL's length() counts code points, as unicodeScalars does.
            guard raw.unicodeScalars.count <= maximum else { return nil }
            return raw.contains(where: { !$0.isWhitespace }) ? .text(raw) : nil
        case .secret:
            return (1...256).contains(raw.utf8.count) ? .secret(Password(raw)) : nil
        case .word:
            return raw.isEmpty ? nil : .word(raw.uppercased())
        case .login: return Login(raw).map(ArgumentValue.login)
        case .department: return DepartmentCode(raw).map(ArgumentValue.department)
        case .customer: return CustomerNumber(raw).map(ArgumentValue.customer)
        case .ref: return DossierRef(raw).map(ArgumentValue.ref)
        case .approval: return ApprovalID(raw).map(ArgumentValue.approval)
        case .loan: return LoanID(raw).map(ArgumentValue.loan)
        case .penalty: return PenaltyID(raw).map(ArgumentValue.penalty)
        case .grant: return GrantID(raw).map(ArgumentValue.grant)
        case .handover: return HandoverID(raw).map(ArgumentValue.handover)
        case .visit: return VisitID(raw).map(ArgumentValue.visit)
        case .inspection: return InspectionID(raw).map(ArgumentValue.inspection)
        case .ruleCode: return PenaltyRuleCode(raw).map(ArgumentValue.ruleCode)
        case .creditCode: return CreditCode(raw).map(ArgumentValue.creditCode)
        case .idNumber: return ResidentIDNumber(raw).map(ArgumentValue.idNumber)
        case .sha256: return SHA256Digest(raw).map(ArgumentValue.sha256)
        case .cursor: return Cursor(raw).map(ArgumentValue.cursor)
        case .date: return CalendarDate(raw).map(ArgumentValue.date)
        case .dateRange: return DateRange(raw).map(ArgumentValue.dateRange)
        case .month: return YearMonth(raw).map(ArgumentValue.month)
        case .timeZone:
            // Letters, digits and `/ _ + -`, starting with a letter: every IANA name.
            func isLetter(_ byte: UInt8) -> Bool { (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte) }
            let bytes = Array(raw.utf8)
            guard (1...64).contains(bytes.count), isLetter(bytes[0]),
                  bytes.allSatisfy({ isLetter($0) || (0x30...0x39).contains($0) || "/_+-".utf8.contains($0) })
            else { return nil }
            return .timeZone(raw)
        case .timeBound: return TimeBound(raw).map(ArgumentValue.timeBound)
        case .money: return Money(raw).map(ArgumentValue.money)
        case .creditAmount: return Money(raw).flatMap(CreditAmount.checked).map(ArgumentValue.money)
        case .creditTarget: return CreditTarget(raw).map(ArgumentValue.creditTarget)
        case .repaymentInterval: return InstalmentSchedule.Interval(raw).map(ArgumentValue.repaymentInterval)
        case .yesNo:
            switch raw {
            case "yes": return .bool(true)
            case "no": return .bool(false)
            default: return nil
            }
        case .integer(let range):
            // Digits only: no sign, no spaces, no `1e3`; at most 9 digits so it fits Int.
            let bytes = Array(raw.utf8)
            guard (1...9).contains(bytes.count), bytes.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }),
                  let value = Int(raw), range.contains(value)
            else { return nil }
            return .integer(value)
        case .choice(let spellings):
            return spellings.contains(raw) ? .choice(raw) : nil
        }
    }
}
