import DossierDomain

/// One change to a customer's data (RULES.md, "Customers"). `nil` clears an optional
/// field (written `field=""` on the wire); `name`, `kind` and `owner` cannot be cleared.
public enum CustomerChange: FieldChange {
    case name(String)
    case kind(CustomerKind)
    case creditCode(CreditCode?)
    case legalRep(String?)
    case contact(String?)
    case phone(String?)
    case email(String?)
    case address(String?)
    case industry(String?)
    case region(String?)
    case grade(CustomerGrade?)
    case creditRating(String?)
    case creditLimit(Money?)
    case owner(Login)
    case idNumber(ResidentIDNumber?)
    case bankAccount(String?)
    case consentOn(CalendarDate?)
    case consentScope(String?)
    case consentRef(String?)

    public var field: String {
        switch self {
        case .name: "name"
        case .kind: "kind"
        case .creditCode: "credit_code"
        case .legalRep: "legal_rep"
        case .contact: "contact"
        case .phone: "phone"
        case .email: "email"
        case .address: "address"
        case .industry: "industry"
        case .region: "region"
        case .grade: "grade"
        case .creditRating: "credit_rating"
        case .creditLimit: "credit_limit"
        case .owner: "owner"
        case .idNumber: "id_number"
        case .bankAccount: "bank_account"
        case .consentOn: "consent_on"
        case .consentScope: "consent_scope"
        case .consentRef: "consent_ref"
        }
    }

    public var wireValue: String {
        switch self {
        case .name(let text): text
        case .kind(let kind): kind.rawValue
        case .creditCode(let code): code?.description ?? ""
        case .legalRep(let text), .contact(let text), .phone(let text), .email(let text),
             .address(let text), .industry(let text), .region(let text), .creditRating(let text), .bankAccount(let text),
             .consentScope(let text), .consentRef(let text):
            text ?? ""
        case .grade(let grade): grade?.rawValue ?? ""
        case .creditLimit(let money): money?.description ?? ""
        case .owner(let login): login.rawValue
        case .idNumber(let number): number?.rawValue ?? ""
        case .consentOn(let date): date?.description ?? ""
        }
    }
}
