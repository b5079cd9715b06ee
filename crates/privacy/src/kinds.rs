//! The kinds of finding, their default severity and why each matters.

use serde::{Deserialize, Serialize};

use crate::Reason;

/// How much harm a finding can do if published.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// Worth a look (a timestamp, the camera's model).
    Low,
    /// Identifies or locates someone with a little more work (an e-mail, a plate).
    Medium,
    /// Reaches or identifies someone directly (a phone number, an ID, a GPS position):
    /// stops a verdict's publication unless a reviewer overrides it.
    High,
}

impl Severity {
    /// Its name: `low`, `medium`, `high`.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
        }
    }

    /// Parses [`Severity::as_str`]'s names back.
    pub fn parse(s: &str) -> Option<Severity> {
        match s {
            "low" => Some(Severity::Low),
            "medium" => Some(Severity::Medium),
            "high" => Some(Severity::High),
            _ => None,
        }
    }
}

/// What a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// A phone number (Vietnamese mobile or landline, or international with `+`).
    Phone,
    /// A Vietnamese citizen ID number (CCCD, 12 digits).
    CitizenId,
    /// An old Vietnamese ID card number (CMND, 9 digits), named as one.
    OldId,
    /// A passport number.
    Passport,
    /// A payment card number (passes the Luhn check).
    BankCard,
    /// A bank account number next to a bank's name or "account".
    BankAccount,
    /// An e-mail address.
    Email,
    /// A Vietnamese vehicle plate.
    Plate,
    /// A date of birth.
    BirthDate,
    /// A street address (house number and street, lane or alley).
    Address,
    /// One of the desk's sensitive terms.
    SensitiveTerm,
    /// A GPS position in an image's metadata.
    GpsPosition,
    /// A device's serial number or unique id in an image's metadata.
    DeviceSerial,
    /// The owner, artist or author in an image's metadata.
    Owner,
    /// When the picture was taken or edited, in its metadata.
    Timestamp,
    /// The make and model of the camera or phone, in its metadata.
    Device,
    /// A metadata block the check does not read field by field (XMP, IPTC, text chunks):
    /// the clean copy removes it.
    MetadataBlock,
}

impl Kind {
    /// Every kind, in a fixed order.
    pub const ALL: [Kind; 17] = [
        Kind::Phone,
        Kind::CitizenId,
        Kind::OldId,
        Kind::Passport,
        Kind::BankCard,
        Kind::BankAccount,
        Kind::Email,
        Kind::Plate,
        Kind::BirthDate,
        Kind::Address,
        Kind::SensitiveTerm,
        Kind::GpsPosition,
        Kind::DeviceSerial,
        Kind::Owner,
        Kind::Timestamp,
        Kind::Device,
        Kind::MetadataBlock,
    ];

    /// Its stable name (`phone`, `citizen_id`, ...), as in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Phone => "phone",
            Kind::CitizenId => "citizen_id",
            Kind::OldId => "old_id",
            Kind::Passport => "passport",
            Kind::BankCard => "bank_card",
            Kind::BankAccount => "bank_account",
            Kind::Email => "email",
            Kind::Plate => "plate",
            Kind::BirthDate => "birth_date",
            Kind::Address => "address",
            Kind::SensitiveTerm => "sensitive_term",
            Kind::GpsPosition => "gps_position",
            Kind::DeviceSerial => "device_serial",
            Kind::Owner => "owner",
            Kind::Timestamp => "timestamp",
            Kind::Device => "device",
            Kind::MetadataBlock => "metadata_block",
        }
    }

    /// How much harm it does by default (a sensitive term's is the desk's).
    pub fn severity(self) -> Severity {
        match self {
            Kind::Phone
            | Kind::CitizenId
            | Kind::OldId
            | Kind::Passport
            | Kind::BankCard
            | Kind::BankAccount
            | Kind::GpsPosition => Severity::High,
            Kind::Email
            | Kind::Plate
            | Kind::BirthDate
            | Kind::Address
            | Kind::SensitiveTerm
            | Kind::DeviceSerial
            | Kind::Owner
            | Kind::MetadataBlock => Severity::Medium,
            Kind::Timestamp | Kind::Device => Severity::Low,
        }
    }

    /// Why it matters.
    pub fn reason(self) -> Reason {
        let (vi, en) = match self {
            Kind::Phone => (
                "Số điện thoại cho phép bất kỳ ai gọi, nhắn tin hoặc quấy rối người sở hữu.",
                "A phone number lets anyone call, message or harass its owner.",
            ),
            Kind::CitizenId => (
                "Số căn cước công dân định danh một người và bị dùng để giả mạo, vay tiền, \
                 mở tài khoản.",
                "A citizen ID number identifies a person and is used for impersonation, loans \
                 and opening accounts.",
            ),
            Kind::OldId => (
                "Số chứng minh nhân dân định danh một người và bị dùng để giả mạo.",
                "An ID card number identifies a person and is used for impersonation.",
            ),
            Kind::Passport => (
                "Số hộ chiếu định danh một người và bị dùng để giả mạo giấy tờ.",
                "A passport number identifies a person and is used to forge documents.",
            ),
            Kind::BankCard => (
                "Số thẻ ngân hàng có thể bị dùng để thanh toán gian lận.",
                "A payment card number can be used for fraudulent payments.",
            ),
            Kind::BankAccount => (
                "Số tài khoản ngân hàng kèm tên ngân hàng lộ thông tin tài chính của chủ tài \
                 khoản.",
                "A bank account number with its bank exposes its holder's finances.",
            ),
            Kind::Email => (
                "Địa chỉ e-mail cho phép liên hệ, lừa đảo hoặc tìm ra danh tính người dùng.",
                "An e-mail address lets anyone contact, phish or identify its owner.",
            ),
            Kind::Plate => (
                "Biển số xe dẫn tới chủ xe và nơi người đó thường lui tới.",
                "A vehicle plate leads to its owner and where they go.",
            ),
            Kind::BirthDate => (
                "Ngày sinh cùng tên tuổi đủ để xác định một người và trả lời câu hỏi bảo mật.",
                "A date of birth with a name is enough to identify someone and answer security \
                 questions.",
            ),
            Kind::Address => (
                "Địa chỉ nhà cho biết nơi một người sống hoặc làm việc.",
                "A street address tells where someone lives or works.",
            ),
            Kind::SensitiveTerm => (
                "Thuật ngữ nằm trong danh sách nhạy cảm của tòa soạn.",
                "A term on the desk's sensitive list.",
            ),
            Kind::GpsPosition => (
                "Ảnh chứa tọa độ GPS nơi chụp, có thể là nhà riêng hoặc một địa điểm cần giữ kín.",
                "The photo carries the GPS position where it was taken: a home or a place that \
                 must stay private.",
            ),
            Kind::DeviceSerial => (
                "Số sê-ri thiết bị liên kết ảnh này với những ảnh khác cùng máy và với người \
                 chụp.",
                "A device serial number links this photo to others from the same device and to \
                 the photographer.",
            ),
            Kind::Owner => (
                "Siêu dữ liệu ghi tên chủ sở hữu hoặc tác giả ảnh.",
                "The metadata names the photo's owner or author.",
            ),
            Kind::Timestamp => (
                "Thời điểm chụp ảnh có thể cho biết lịch trình của một người.",
                "When the photo was taken can reveal someone's movements.",
            ),
            Kind::Device => (
                "Hãng và đời máy giúp thu hẹp ai là người chụp.",
                "The camera's make and model narrows down who took the photo.",
            ),
            Kind::MetadataBlock => (
                "Ảnh có khối siêu dữ liệu (XMP, IPTC hoặc chú thích) có thể chứa tên, địa điểm \
                 hoặc ghi chú nội bộ; bản sạch đã xóa nó.",
                "The image has a metadata block (XMP, IPTC or text) that can hold names, places \
                 or internal notes; the clean copy removes it.",
            ),
        };
        Reason {
            vi: vi.to_string(),
            en: en.to_string(),
        }
    }
}
