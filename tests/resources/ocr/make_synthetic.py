"""Render the synthetic documents in this folder (fictional people and firm, valid check digits).

Run once with the project's Python from the project root:
    .venv/bin/python tests/resources/ocr/make_synthetic.py
The PNGs are committed; this script documents how they were made. Fonts: WenQuanYi
Micro Hei (Chinese) and DejaVu Sans Mono (numbers), both Debian packages.
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont

HERE = Path(__file__).parent
HEI = "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"
MONO = "/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf"
DPI = 300


def font(path, px):
    return ImageFont.truetype(path, px)


def guilloche(size):
    """A faint wavy background like the security print of a card."""
    w, h = size
    y, x = np.mgrid[0:h, 0:w]
    waves = np.sin(x / 23.0 + np.sin(y / 41.0) * 2) * np.cos(y / 31.0)
    # Four grey levels keep the PNG small.
    base = 244 + 3 * np.round(waves * 1.5)
    return Image.fromarray(np.clip(base, 0, 255).astype(np.uint8), "L")


def id_card(name, sex, nation, birth, address_lines, number, file):
    # 85.6 x 54 mm card drawn at twice its size so that its small print stays legible.
    card = guilloche((2022, 1276))
    d = ImageDraw.Draw(card)
    label, value, num = font(HEI, 50), font(HEI, 60), font(MONO, 74)
    d.text((120, 110), "姓  名", font=label, fill=90)
    d.text((330, 100), name, font=value, fill=0)
    d.text((120, 250), "性  别", font=label, fill=90)
    d.text((330, 240), sex, font=value, fill=0)
    d.text((560, 250), "民  族", font=label, fill=90)
    d.text((770, 240), nation, font=value, fill=0)
    d.text((120, 390), "出  生", font=label, fill=90)
    d.text((330, 380), birth, font=value, fill=0)
    d.text((120, 530), "住  址", font=label, fill=90)
    for i, line in enumerate(address_lines):
        d.text((330, 520 + i * 90), line, font=value, fill=0)
    d.text((120, 1020), "公民身份号码", font=label, fill=90)
    d.text((520, 1005), number, font=num, fill=0)
    d.rectangle((1480, 180, 1900, 700), fill=200)          # where the photo is
    card.save(HERE / file, dpi=(2 * DPI, 2 * DPI), optimize=True)


def licence(file):
    page = Image.new("L", (2400, 1700), 255)
    d = ImageDraw.Draw(page)
    title, label, value, code = font(HEI, 110), font(HEI, 48), font(HEI, 50), font(MONO, 52)
    d.text((880, 90), "营业执照", font=title, fill=0)
    d.text((160, 300), "统一社会信用代码", font=label, fill=0)
    d.text((600, 296), "91110101697654321D", font=code, fill=0)
    rows = [("名      称", "北京示例科技有限公司"),
            ("类      型", "有限责任公司（自然人投资或控股）"),
            ("法定代表人", "张伟民"),
            ("经营范围", "技术开发、技术咨询、技术服务；计算机系统服务。"),
            ("注册资本", "壹佰万元整"),
            ("成立日期", "2015年06月18日"),
            ("营业期限", "2015年06月18日至长期"),
            ("住      所", "北京市东城区示例路12号院3号楼201室")]
    for i, (k, v) in enumerate(rows):
        d.text((160, 460 + i * 130), k, font=label, fill=0)
        d.text((520, 458 + i * 130), v, font=value, fill=0)
    page.save(HERE / file, dpi=(DPI, DPI), optimize=True)


def household(file):
    page = Image.new("L", (2400, 1500), 255)
    d = ImageDraw.Draw(page)
    title, label, value, code = font(HEI, 80), font(HEI, 46), font(HEI, 50), font(MONO, 52)
    d.text((820, 80), "常住人口登记卡", font=title, fill=0)
    rows = [(("姓名", "张小雨"), ("户主或与户主关系", "女")),
            (("性别", "女"), ("民族", "汉族")),
            (("出生地", "北京市东城区"), ("出生日期", "2015年05月20日")),
            (("公民身份号码", None), None)]
    for i, (left, right) in enumerate(rows):
        y = 300 + i * 200
        d.line((120, y - 40, 2280, y - 40), fill=0, width=3)
        d.text((160, y), left[0], font=label, fill=0)
        if left[1]:
            d.text((520, y), left[1], font=value, fill=0)
        if right:
            d.text((1100, y), right[0], font=label, fill=0)
            d.text((1560, y), right[1], font=value, fill=0)
    d.text((520, 900), "110101201505200023", font=code, fill=0)
    page.save(HERE / file, dpi=(DPI, DPI), optimize=True)


TRUTH = {
    "id_card_front.png": {
        "name": "张伟民", "sex": "男", "ethnicity": "汉", "birth_date": "1990-03-07",
        "address": "北京市东城区示例路12号院3号楼2单元401室", "id_number": "11010119900307109X"},
    "id_card_confusable.png": {
        "printed_id_number": "32O502198511I20049", "id_number": "320502198511120049",
        "name": "陈静怡", "birth_date": "1985-11-12"},
    "business_licence.png": {
        "uscc": "91110101697654321D", "company_name": "北京示例科技有限公司",
        "legal_representative": "张伟民", "established_date": "2015-06-18"},
    "household_register.png": {
        "name": "张小雨", "relation": "女", "sex": "女", "ethnicity": "汉族",
        "birth_date": "2015-05-20", "id_number": "110101201505200023"},
}

if __name__ == "__main__":
    id_card("张伟民", "男", "汉", "1990 年 3 月 7 日",
            ["北京市东城区示例路12号院3号", "楼2单元401室"], "11010119900307109X", "id_card_front.png")
    id_card("陈静怡", "女", "汉", "1985 年 11 月 12 日",
            ["江苏省苏州市姑苏区示例巷8号"], "32O502198511I20049", "id_card_confusable.png")
    licence("business_licence.png")
    household("household_register.png")
    (HERE / "synthetic_truth.json").write_text(json.dumps(TRUTH, ensure_ascii=False, indent=2) + "\n",
                                               encoding="utf-8")
