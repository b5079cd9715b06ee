#!/usr/bin/env python3
"""The privacy check's evaluation set (issue 21): Vietnamese and English draft posts.

Half the posts carry planted personal data of every kind claimdesk-privacy reports (phone,
CCCD, CMND, passport, bank card, bank account, e-mail, plate, date of birth, street address,
the desk's sensitive terms), each in a natural sentence and labelled with its exact byte span;
the other half carry look-alikes that are not personal data (prices, dates of events, decree
and article numbers, service numbers, and public hotlines listed in the config as allowed).
Every value is generated, none is a real person's.

Posts are split into a tuning half and a held-out half by a fixed seed; patterns are tuned
on the tuning half only, and both halves are reported (crates/privacy/examples/privacy_eval).

    python3 bench/privacy_posts.py OUT_DIR [--posts N] [--seed S]

writes OUT_DIR/posts.jsonl (one post a line: id, lang, split, planted, text, labels with
kind, start, end as UTF-8 byte offsets) and OUT_DIR/config.json (the sensitive terms and the
allowed numbers the check is run with).
"""

import argparse
import json
import os
import random
import unicodedata

# The desk's config for the evaluation: terms (matched without accents or case) and public
# numbers that are never reported.
TERMS = [
    {"term": "Tiểu đoàn 3", "severity": "high", "note": "đơn vị đang làm nhiệm vụ"},
    {"term": "Dự án Sao Mai", "severity": "medium", "note": "tên mã nội bộ"},
    {"term": "nguồn tin K7", "severity": "high", "note": "người cung cấp tin"},
    {"term": "Operation Lotus", "severity": "medium", "note": "internal code name"},
]
ALLOWED = ["024 3823 4567", "028 3829 6241", "1900 9095", "+84 24 3943 9999"]

PROVINCES = [1, 2, 4, 6, 8, 10, 11, 12, 14, 15, 17, 19, 20, 22, 24, 25, 26, 27, 30, 31, 33, 34,
             35, 36, 37, 38, 40, 42, 44, 45, 46, 48, 49, 51, 52, 54, 56, 58, 60, 62, 64, 66, 67,
             68, 70, 72, 74, 75, 77, 79, 80, 82, 83, 84, 86, 87, 89, 91, 92, 93, 94, 95, 96]
MOBILE = ["32", "33", "34", "35", "36", "37", "38", "39", "56", "58", "70", "76", "77", "78",
          "79", "81", "82", "83", "84", "85", "86", "88", "89", "90", "91", "93", "94", "96",
          "97", "98", "99"]
BANKS = ["Vietcombank", "Techcombank", "BIDV", "Agribank", "VietinBank", "MB Bank", "ACB",
         "VPBank", "TPBank", "Sacombank"]
SURNAMES = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Ngô"]
GIVEN = ["An", "Bình", "Chi", "Dũng", "Hà", "Hoa", "Hùng", "Lan", "Minh", "Nam", "Phương",
         "Quân", "Thảo", "Trang", "Tuấn", "Vy"]
STREETS = ["Lý Thường Kiệt", "Nguyễn Trãi", "Hàng Bông", "Tây Sơn", "Lê Lợi", "Trần Hưng Đạo",
           "Phan Chu Trinh", "Nguyễn Huệ", "Hai Bà Trưng", "Cách Mạng Tháng Tám", "Kim Mã",
           "Láng Hạ", "Điện Biên Phủ", "Võ Văn Tần"]
EN_STREETS = ["Baker", "Oak", "Maple", "Church", "Station", "Victoria", "King", "Park"]
EN_SUFFIX = ["Street", "Road", "Avenue", "Lane", "Boulevard", "Drive"]
DOMAINS = ["gmail.com", "yahoo.com.vn", "outlook.com", "mail.vn", "fpt.vn", "proton.me"]
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December"]
PLATE_LETTERS = "ABCDEFGHKLMNPSTUVXYZ"


def ascii_name(name):
    """Lower case without accents, as people type without a Vietnamese keyboard."""
    decomposed = unicodedata.normalize("NFD", name.lower().replace("đ", "d").replace("Đ", "d"))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


class Gen:
    def __init__(self, rng):
        self.r = rng

    def name(self):
        return f"{self.r.choice(SURNAMES)} {self.r.choice(GIVEN)}"

    def digits(self, n):
        return "".join(self.r.choice("0123456789") for _ in range(n))

    # --- values of each kind -------------------------------------------------------------

    def phone(self):
        r = self.r
        if r.random() < 0.15:
            return r.choice(["+1 415 555 " + self.digits(4), "+44 20 7946 " + self.digits(4),
                             "+1 (415) 555-" + self.digits(4),
                             "+65 6" + self.digits(3) + " " + self.digits(4),
                             "+61 2 9" + self.digits(3) + " " + self.digits(4)])
        if r.random() < 0.15:
            area = r.choice(["24", "28", "236", "225"])
            rest = self.digits(10 - len(area))
            fmt = r.choice(["(0{a}) {x} {y}", "0{a}.{x}.{y}", "0{a} {x} {y}"])
            return fmt.format(a=area, x=rest[:4], y=rest[4:])
        p = r.choice(MOBILE) + self.digits(7)  # nine digits after the 0
        fmt = r.randrange(10)
        if fmt == 9:
            return f"0{p[0]} {p[1:3]} {p[3:5]} {p[5:7]} {p[7:]}"
        if fmt == 7:
            return f"0{p[:3]} {p[3:5]} {p[5:7]} {p[7:]}"
        if fmt == 8:
            return f"+84-{p[:3]}-{p[3:6]}-{p[6:]}"
        if fmt == 0:
            return "0" + p
        if fmt == 1:
            return f"0{p[:3]} {p[3:6]} {p[6:]}"
        if fmt == 2:
            return f"0{p[:3]}.{p[3:6]}.{p[6:]}"
        if fmt == 3:
            return f"0{p[:2]}-{p[2:5]}-{p[5:]}"
        if fmt == 4:
            return f"+84 {p[:2]} {p[2:5]} {p[5:]}"
        if fmt == 5:
            return f"(+84) {p[:3]} {p[3:6]} {p[6:]}"
        return f"+84{p}"

    def cccd(self):
        r = self.r
        year = r.randrange(1950, 2008)
        century = (0 if year < 2000 else 2) + r.randrange(2)
        s = f"{r.choice(PROVINCES):03d}{century}{year % 100:02d}{self.digits(6)}"
        fmt = r.random()
        if fmt < 0.6:
            return s
        if fmt < 0.85:
            return f"{s[:3]} {s[3:6]} {s[6:9]} {s[9:]}"
        return f"{s[:3]}.{s[3:6]}.{s[6:9]}.{s[9:]}"

    def cmnd(self):
        s = f"{self.r.randrange(1, 39):02d}" + self.digits(7)
        return s if self.r.random() < 0.8 else f"{s[:3]} {s[3:6]} {s[6:]}"

    def passport(self):
        return self.r.choice("BCN") + self.digits(7)

    def card(self):
        r = self.r
        prefix = r.choice(["4", "51", "52", "53", "54", "55", "9704"])
        length = 19 if prefix == "9704" and r.random() < 0.3 else 16
        body = prefix + self.digits(length - len(prefix) - 1)
        total = 0
        for i, d in enumerate(reversed(body)):
            v = int(d)
            if i % 2 == 0:
                v *= 2
                if v > 9:
                    v -= 9
            total += v
        s = body + str((10 - total % 10) % 10)
        fmt = r.randrange(3)
        if fmt == 0:
            return s
        sep = " " if fmt == 1 else "-"
        return sep.join(s[i:i + 4] for i in range(0, len(s), 4))

    def account(self):
        s = self.digits(self.r.randrange(9, 15))
        if self.r.random() < 0.25:
            return " ".join(s[i:i + 4] for i in range(0, len(s), 4))
        return s

    def email(self):
        n = ascii_name(self.name()).split()
        user = self.r.choice([f"{n[1]}.{n[0]}", f"{n[1]}{n[0]}{self.r.randrange(70, 99)}",
                              f"{n[0]}_{n[1]}"])
        email = f"{user}@{self.r.choice(DOMAINS)}"
        return email.title() if self.r.random() < 0.15 else email

    def plate(self):
        r = self.r
        prov = r.choice([29, 30, 43, 51, 59, 61, 72, 92, 15, 36])
        letter = r.choice(PLATE_LETTERS)
        fmt = r.randrange(6)
        if fmt == 5:
            return f"{prov}-{letter}{r.randrange(1, 10)} {self.digits(3)}.{self.digits(2)}"
        if fmt == 0:
            return f"{prov}{letter}-{self.digits(3)}.{self.digits(2)}"
        if fmt == 1:
            return f"{prov}{letter}{r.randrange(1, 10)}-{self.digits(3)}.{self.digits(2)}"
        if fmt == 2:
            return f"{prov}{letter}-{self.digits(5)}"
        if fmt == 3:
            return f"{prov}{letter}{r.choice(PLATE_LETTERS)}-{self.digits(3)}.{self.digits(2)}"
        return f"{prov}{letter} {self.digits(3)}.{self.digits(2)}"

    def date(self, english):
        r = self.r
        y, m, d = r.randrange(1950, 2010), r.randrange(1, 13), r.randrange(1, 29)
        if english:
            return r.choice([f"{MONTHS[m - 1]} {d}, {y}", f"{d} {MONTHS[m - 1]} {y}",
                             f"{MONTHS[m - 1][:3]} {d}, {y}", f"{d:02d}.{m:02d}.{y}",
                             f"{y}-{m:02d}-{d:02d}", f"{d:02d}/{m:02d}/{y}"])
        return r.choice([f"{d:02d}/{m:02d}/{y}", f"{d}/{m}/{y}", f"{d:02d}-{m:02d}-{y}",
                         f"{d:02d}.{m:02d}.{y}", f"{d} tháng {m} năm {y}",
                         f"{d}/{m}/{y % 100:02d}"])

    def address(self, english):
        r = self.r
        if english:
            return f"{r.randrange(1, 400)} {r.choice(EN_STREETS)} {r.choice(EN_SUFFIX)}"
        n = str(r.randrange(1, 300))
        street = r.choice(STREETS)
        return r.choice([
            f"số {n} đường {street}", f"{n} phố {street}", f"ngõ {r.randrange(2, 200)} phố {street}",
            f"hẻm {r.randrange(2, 400)}/{r.randrange(1, 30)} {street}",
            f"số {n} ngõ {r.randrange(2, 99)} {street}", f"nhà {n} đường {street}",
            f"{n}/{r.randrange(1, 20)} đường {street}", f"ngách {r.randrange(2, 40)}/{r.randrange(2, 90)} phố {street}",
            f"{n}/{r.randrange(1, 60)} {street}, P.{r.randrange(1, 15)}",
            f"{n}/{r.randrange(1, 60)}/{r.randrange(1, 9)} {street}, phường {r.randrange(1, 15)}",
        ])


# Sentences planting one kind: (template, kind). `{v}` is the labelled value; `{n}` a name.
PLANTED_VI = [
    ("Ai nhặt được ví của {n} xin gọi {v} để trả lại.", "phone"),
    ("Liên hệ chị {n} qua số {v} để nhận hàng.", "phone"),
    ("Số điện thoại của anh ấy là {v}, mọi người cẩn thận.", "phone"),
    ("Kẻ lừa đảo dùng số {v} gọi cho nhiều người già.", "phone"),
    ("Căn cước công dân số {v} của {n} bị lộ trên mạng.", "citizen_id"),
    ("CCCD: {v}, cấp ngày 10/10/2021 tại Cục Cảnh sát.", "citizen_id"),
    ("Ảnh chụp giấy tờ ghi số định danh {v} của bệnh nhân.", "citizen_id"),
    ("Số CMND {v} của {n} đã bị dùng để vay tiền.", "old_id"),
    ("Chứng minh nhân dân số {v} cấp năm 2009.", "old_id"),
    ("Hộ chiếu số {v} của {n} đã hết hạn.", "passport"),
    ("Cô ấy nhập cảnh bằng hộ chiếu {v} hôm qua.", "passport"),
    ("Thẻ Visa {v} bị trừ tiền liên tục.", "bank_card"),
    ("Số thẻ {v} đã bị khóa sau khi lộ thông tin.", "bank_card"),
    ("Ủng hộ qua STK {b} {v}, chủ tài khoản {n}.", "bank_account"),
    ("Chuyển khoản vào số tài khoản {v} tại {b}.", "bank_account"),
    ("Tài khoản {b}: {v} là của đối tượng lừa đảo.", "bank_account"),
    ("Gửi thông tin về {v} để được hỗ trợ.", "email"),
    ("Thư từ địa chỉ {v} đã lan truyền trong nhóm.", "email"),
    ("Chiếc xe mang biển số {v} bị ghi hình tại ngã tư.", "plate"),
    ("Xe máy {v} đỗ trước cổng trường cả buổi sáng.", "plate"),
    ("Nạn nhân {n}, sinh ngày {v}, quê Nam Định.", "birth_date"),
    ("Thông tin cá nhân ghi ngày sinh {v} và quê quán.", "birth_date"),
    ("Em {n} (sinh {v}) đã được tìm thấy.", "birth_date"),
    ("Gia đình {n} sống ở {v}, quận Ba Đình.", "address"),
    ("Cửa hàng tại {v} bị tố bán hàng giả.", "address"),
    ("Người dân tụ tập trước nhà {v} từ sáng.", "address"),
    ("SĐT:{v} (gọi sau 8 giờ tối).", "phone"),
    ("Zalo {v} - nhắn trước khi gọi.", "phone"),
    ("Nhờ mọi người chia sẻ, số nhà mình {v} nhé!", "phone"),
    ("Số CCCD {v} hiện rõ trong ảnh chụp màn hình.", "citizen_id"),
    ("CMT {v} của ông ấy bị photo lại.", "old_id"),
    ("STK: {v} - {b} - {n}.", "bank_account"),
    ("Mọi người đóng góp qua {b} {v} nha.", "bank_account"),
    ("Email {v} đã được dùng để gửi thư giả.", "email"),
    ("Ô tô {v} chạy ngược chiều trên cầu.", "plate"),
    ("Ông {n}, ngày tháng năm sinh {v}, bị mất liên lạc.", "birth_date"),
    ("Hàng xóm cho biết nhà cô ấy ở {v}, phường Bến Nghé.", "address"),
    ("Trong cuộc họp có nhắc đến {v} nhiều lần.", "term"),
    ("Đơn vị {v} đã di chuyển về phía bắc.", "term"),
    ("Tài liệu về {v} không được chia sẻ.", "term"),
]
PLANTED_EN = [
    ("If you find {n}'s wallet please call {v}.", "phone"),
    ("The scammer called from {v} several times.", "phone"),
    ("Her passport number {v} was posted in the group.", "passport"),
    ("Passport no. {v}, issued in Hanoi.", "passport"),
    ("The leaked photo shows citizen ID {v}.", "citizen_id"),
    ("His old ID card number {v} appears in the screenshot.", "old_id"),
    ("The card {v} was charged twice.", "bank_card"),
    ("Donations go to account number {v} at {b}.", "bank_account"),
    ("Write to {v} for details.", "email"),
    ("Contact the organiser at {v}.", "email"),
    ("A car with plate {v} was filmed at the crossing.", "plate"),
    ("The victim, born on {v}, lived alone.", "birth_date"),
    ("Date of birth: {v}.", "birth_date"),
    ("The family lives at {v} in the old quarter.", "address"),
    ("Protesters gathered outside {v} on Sunday.", "address"),
    ("Do not mention {v} in any post.", "term"),
    ("Reach him on WhatsApp: {v}.", "phone"),
    ("Scan of ID {v} was shared without consent.", "citizen_id"),
    ("Her email address ({v}) was in the leaked list.", "email"),
    ("Send money to {b} acct {v}, they said.", "bank_account"),
    ("The Visa card {v} was cloned.", "bank_card"),
    ("DOB {v}, according to the form.", "birth_date"),
    ("The motorbike {v} was parked outside.", "plate"),
    ("He rents a room at {v}.", "address"),
]

# Sentences without personal data, many of them shaped like it.
LOOKALIKE_VI = [
    "Giá vàng hôm nay là {price} đồng một lượng.",
    "Căn hộ được rao bán với giá {bigprice} đồng.",
    "Hội thảo diễn ra ngày {edate} tại Hà Nội.",
    "Theo Nghị định {decree}, mức phạt tăng gấp đôi.",
    "Điều {art} khoản {cl} của luật quy định rõ điều này.",
    "Thông tư {circular} có hiệu lực từ tháng sau.",
    "Đường dây nóng {allowed} luôn sẵn sàng hỗ trợ.",
    "Tổng đài {service} hoạt động 24/7.",
    "Học sinh ngày {edate} đã tựu trường.",
    "Năm {year} có {count} ca mắc được ghi nhận.",
    "Quốc lộ {road} bị ngập sâu sau mưa.",
    "Mã số thuế của doanh nghiệp là {tax}.",
    "Tỷ lệ lạm phát là {pct}% trong quý vừa qua.",
    "Chuyến bay VN{flight} hạ cánh lúc 7 giờ sáng.",
    "Mẫu điện thoại mới có giá {price} đồng.",
    "Giáng sinh ngày 25/12/{year} phố đi bộ rất đông.",
    "Liệt sĩ hy sinh ngày {edate} tại mặt trận phía Nam.",
    "Quyết định số {qd}/QĐ-TTg được ban hành.",
    "Có {count} người tham gia tuần lễ đi bộ trên đường Trường Sơn.",
    "Tiểu đoàn {battalion} của Hà Nội tổ chức diễn tập công khai.",
    "Sách có mã ISBN 978-604-{isbn} đã tái bản.",
    "Gọi đường dây nóng {allowed} nếu thấy tin giả.",
    "Mã bưu chính của phường là {postcode}.",
    "Năm {year}, dân số thành phố đạt {bigcount} người.",
    "Lãi suất tiết kiệm kỳ hạn 12 tháng là {pct}%/năm.",
    "Trận đấu kết thúc với tỷ số 2-1 lúc 21:45 ngày {edate}.",
    "Dự án nhà ở xã hội tại lô {lot} sẽ khởi công năm {year}.",
    "Mẫu xe {model} ra mắt thị trường ngày {edate}.",
    "Theo công văn {qd}/{year} Sở Y Tế, quận 1 đã chỉ đạo các phường.",
    "Văn bản {art}/UBND ngày {short_date} nêu rõ lộ trình.",
]
LOOKALIKE_EN = [
    "The flat sold for ${usd} last year.",
    "The summit was held on {edate} in Hanoi.",
    "Under Decree {decree}, fines doubled.",
    "Article {art} of the constitution protects this right.",
    "Call the public hotline {allowed} for help.",
    "The national helpline {service} is free.",
    "In {year} there were {count} cases.",
    "Flight VN{flight} landed at 7am.",
    "Inflation reached {pct}% this quarter.",
    "The company was founded on {mdate}.",
    "Route {road} was closed after the floods.",
    "The report cites {count} complaints between {edate} and {edate2}.",
    "Call {allowed}, the ministry's public line, to report fakes.",
    "The book (ISBN 978-604-{isbn}) was reprinted.",
    "Prices rose from 1,250,000 to {bigprice} dong.",
]

NEUTRAL_VI = [
    "Thông tin này đã được kiểm chứng là sai.",
    "Mọi người nên kiểm tra nguồn trước khi chia sẻ.",
    "Bài đăng đã thu hút hàng nghìn lượt chia sẻ.",
    "Chúng tôi đã liên hệ cơ quan chức năng để xác minh.",
    "Đây là ảnh cũ được cắt ghép lại.",
    "Bộ Y tế chưa đưa ra khuyến cáo nào như vậy.",
]
NEUTRAL_EN = [
    "This claim has been checked and is false.",
    "Please verify before sharing.",
    "The post was shared thousands of times.",
    "We contacted the authorities to confirm.",
    "The photo is old and was edited.",
]


class Post:
    def __init__(self):
        self.text = ""
        self.labels = []

    def add(self, template, fill, kind=None, value=None):
        """Appends `template` with `fill`; `{v}` becomes `value`, labelled `kind`."""
        if self.text:
            self.text += " "
        if value is None:
            self.text += template.format(**fill)
            return
        before, after = template.split("{v}", 1)
        self.text += before.format(**fill)
        start = len(self.text.encode("utf-8"))
        self.text += value
        end = len(self.text.encode("utf-8"))
        self.labels.append({"kind": kind, "start": start, "end": end, "value": value})
        self.text += after.format(**fill)


def term_variant(r, term):
    """The term as a writer might type it: as listed, without accents, or in capitals."""
    choice = r.randrange(3)
    if choice == 1:
        return ascii_name(term)
    if choice == 2:
        return term.upper()
    return term


def lookalike_fill(g, english):
    r = g.r
    y = r.randrange(2015, 2027)
    allowed = r.choice(ALLOWED)
    digits = "".join(c for c in allowed if c.isdigit())
    if digits.startswith("84"):
        digits = "0" + digits[2:]
    # The allowed numbers as people write them: as listed, with dots, or run together.
    allowed = r.choice([allowed, digits, ".".join([digits[:3], digits[3:7], digits[7:]])
                        if len(digits) > 8 else digits])
    return {
        "price": r.choice(["85.500.000", "1.250.000", "4.990.000", "12.000.000", "350.000"]),
        "bigprice": f"{r.randrange(1, 20)}.{r.randrange(100, 999)}.000.000",
        "edate": f"{r.randrange(1, 29):02d}/{r.randrange(1, 13):02d}/{y}",
        "mdate": f"{r.choice(MONTHS)} {r.randrange(1, 29)}, {r.randrange(1950, 2010)}",
        "decree": f"{r.randrange(10, 200)}/{y}/NĐ-CP",
        "circular": f"{r.randrange(1, 60)}/{y}/TT-BYT",
        "qd": str(r.randrange(100, 2500)),
        "art": str(r.randrange(1, 120)),
        "cl": str(r.randrange(1, 6)),
        "allowed": allowed,
        "service": r.choice(["1900 1234", "1800 1567", "1900 6006", "113", "115", "111"]),
        "year": str(y),
        "count": f"{r.randrange(1, 99)}.{r.randrange(100, 999)}",
        "road": r.choice(["1A", "5", "51", "13", "14"]),
        "tax": "0" + str(r.randrange(100000000, 199999999)),
        "pct": f"{r.randrange(1, 9)},{r.randrange(1, 9)}" if not english
        else f"{r.randrange(1, 9)}.{r.randrange(1, 9)}",
        "flight": str(r.randrange(100, 999)),
        "usd": f"{r.randrange(100, 999)},{r.randrange(100, 999)}",
        "battalion": str(r.randrange(10, 40)),
        "isbn": f"{r.randrange(1, 99)}-{r.randrange(10000, 99999)}-{r.randrange(0, 9)}",
        "postcode": str(r.randrange(10, 99)) + "0000",
        "bigcount": f"{r.randrange(1, 12)}.{r.randrange(100, 999)}.{r.randrange(100, 999)}",
        "lot": r.choice(["CT1", "A2", "B5", "HH3"]),
        "model": r.choice(["VF 8", "Vios 2025", "CR-V", "Air Blade 160"]),
        "edate2": f"{r.randrange(1, 29):02d}/{r.randrange(1, 13):02d}/{y}",
        "short_date": f"{r.randrange(1, 29)}/{r.randrange(1, 13)}/{y % 100:02d}",
    }


def value_of(g, kind, english):
    r = g.r
    return {
        "phone": g.phone, "citizen_id": g.cccd, "old_id": g.cmnd, "passport": g.passport,
        "bank_card": g.card, "bank_account": g.account, "email": g.email, "plate": g.plate,
        "birth_date": lambda: g.date(english), "address": lambda: g.address(english),
        "term": lambda: term_variant(r, r.choice(TERMS)["term"]),
    }[kind]()


KINDS = ["phone", "citizen_id", "old_id", "passport", "bank_card", "bank_account", "email",
         "plate", "birth_date", "address", "term"]


def make_post(g, planted, english, turn):
    r = g.r
    post = Post()
    neutral = NEUTRAL_EN if english else NEUTRAL_VI
    post.add(r.choice(neutral), {})
    if planted:
        pool = PLANTED_EN if english else PLANTED_VI
        # Every kind in turn, so each is planted about as often; a second one at random.
        first = r.choice([t for t in pool if t[1] == KINDS[turn % len(KINDS)]])
        chosen = [first] + ([r.choice(pool)] if r.random() < 0.5 else [])
        for template, kind in chosen:
            fill = {"n": g.name(), "b": r.choice(BANKS)}
            label = "sensitive_term" if kind == "term" else kind
            post.add(template, fill, label, value_of(g, kind, english))
        # Planted posts carry look-alikes too, sometimes: precision is measured on both.
        if r.random() < 0.3:
            post.add(r.choice(LOOKALIKE_EN if english else LOOKALIKE_VI),
                     lookalike_fill(g, english))
    else:
        pool = LOOKALIKE_EN if english else LOOKALIKE_VI
        for template in r.sample(pool, r.randrange(2, 4)):
            post.add(template, lookalike_fill(g, english))
    post.add(r.choice(neutral), {})
    return post


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("out")
    ap.add_argument("--posts", type=int, default=800)
    ap.add_argument("--seed", type=int, default=2112)
    args = ap.parse_args()
    r = random.Random(args.seed)
    g = Gen(r)
    posts = []
    for i in range(args.posts):
        planted = i % 2 == 0
        english = (i // 2) % 3 == 2  # two Vietnamese posts for each English one
        p = make_post(g, planted, english, i // 2)
        posts.append({"id": i, "lang": "en" if english else "vi", "planted": planted,
                      "text": p.text, "labels": p.labels})
    # The split: a fixed shuffle, half for tuning, half held out.
    order = list(range(len(posts)))
    random.Random(args.seed * 7 + 1).shuffle(order)
    for rank, i in enumerate(order):
        posts[i]["split"] = "tune" if rank < len(posts) // 2 else "heldout"
    os.makedirs(args.out, exist_ok=True)
    with open(os.path.join(args.out, "posts.jsonl"), "w", encoding="utf-8") as f:
        for p in posts:
            f.write(json.dumps(p, ensure_ascii=False) + "\n")
    with open(os.path.join(args.out, "config.json"), "w", encoding="utf-8") as f:
        json.dump({"terms": TERMS, "allowed": ALLOWED}, f, ensure_ascii=False, indent=2)
        f.write("\n")


if __name__ == "__main__":
    main()
