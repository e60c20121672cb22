-- 003_organizer_aliases: one organiser across the 2025 merger of provinces.
-- On 1 July 2025 63 provinces became 34: "Công an tỉnh Phú Yên" went on as part of
-- "Công an tỉnh Đắk Lắk", and a campaign it ran goes on under the new name. The views
-- read an article's organiser through this table (case-insensitive), so a campaign's
-- years join across the rename; articles keep the name as written.
-- Runs inside one transaction (warehouse/db.py); no BEGIN/COMMIT here.

CREATE TABLE organizer_aliases (
    alias     VARCHAR PRIMARY KEY,  -- lower case
    organizer VARCHAR NOT NULL,     -- the name it goes on under
    since     DATE,
    reason    VARCHAR
);

CREATE TEMP TABLE _merged (old_kind VARCHAR, old_name VARCHAR, new_kind VARCHAR, new_name VARCHAR);
INSERT INTO _merged VALUES
    ('tỉnh', 'Hà Giang', 'tỉnh', 'Tuyên Quang'),
    ('tỉnh', 'Yên Bái', 'tỉnh', 'Lào Cai'),
    ('tỉnh', 'Bắc Kạn', 'tỉnh', 'Thái Nguyên'),
    ('tỉnh', 'Vĩnh Phúc', 'tỉnh', 'Phú Thọ'),
    ('tỉnh', 'Hòa Bình', 'tỉnh', 'Phú Thọ'),
    ('tỉnh', 'Bắc Giang', 'tỉnh', 'Bắc Ninh'),
    ('tỉnh', 'Thái Bình', 'tỉnh', 'Hưng Yên'),
    ('tỉnh', 'Hải Dương', 'thành phố', 'Hải Phòng'),
    ('tỉnh', 'Hà Nam', 'tỉnh', 'Ninh Bình'),
    ('tỉnh', 'Nam Định', 'tỉnh', 'Ninh Bình'),
    ('tỉnh', 'Quảng Bình', 'tỉnh', 'Quảng Trị'),
    ('tỉnh', 'Quảng Nam', 'thành phố', 'Đà Nẵng'),
    ('tỉnh', 'Kon Tum', 'tỉnh', 'Quảng Ngãi'),
    ('tỉnh', 'Bình Định', 'tỉnh', 'Gia Lai'),
    ('tỉnh', 'Ninh Thuận', 'tỉnh', 'Khánh Hòa'),
    ('tỉnh', 'Đắk Nông', 'tỉnh', 'Lâm Đồng'),
    ('tỉnh', 'Bình Thuận', 'tỉnh', 'Lâm Đồng'),
    ('tỉnh', 'Phú Yên', 'tỉnh', 'Đắk Lắk'),
    ('tỉnh', 'Bình Dương', 'Thành phố', 'Hồ Chí Minh'),
    ('tỉnh', 'Bà Rịa - Vũng Tàu', 'Thành phố', 'Hồ Chí Minh'),
    ('tỉnh', 'Bình Phước', 'tỉnh', 'Đồng Nai'),
    ('tỉnh', 'Long An', 'tỉnh', 'Tây Ninh'),
    ('tỉnh', 'Sóc Trăng', 'thành phố', 'Cần Thơ'),
    ('tỉnh', 'Hậu Giang', 'thành phố', 'Cần Thơ'),
    ('tỉnh', 'Bến Tre', 'tỉnh', 'Vĩnh Long'),
    ('tỉnh', 'Trà Vinh', 'tỉnh', 'Vĩnh Long'),
    ('tỉnh', 'Tiền Giang', 'tỉnh', 'Đồng Tháp'),
    ('tỉnh', 'Bạc Liêu', 'tỉnh', 'Cà Mau'),
    ('tỉnh', 'Kiên Giang', 'tỉnh', 'An Giang');

CREATE TEMP TABLE _bodies (body VARCHAR);
INSERT INTO _bodies VALUES
    ('Công an'), ('Đoàn Thanh niên Công an'), ('Hội Chữ thập đỏ'), ('Liên đoàn Lao động'),
    ('Ủy ban MTTQ Việt Nam'), ('Bộ Chỉ huy Quân sự'), ('Bộ Chỉ huy Bộ đội Biên phòng');

INSERT INTO organizer_aliases
SELECT lower(b.body || ' ' || m.old_kind || ' ' || m.old_name),
       b.body || ' ' || m.new_kind || ' ' || m.new_name,
       DATE '2025-07-01',
       'provinces merged on 1 July 2025'
FROM _merged AS m CROSS JOIN _bodies AS b;

DROP TABLE _merged;
DROP TABLE _bodies;
