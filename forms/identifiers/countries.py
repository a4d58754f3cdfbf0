"""ISO 3166-1 alpha-2 country codes: the last two letters of a UPU S10 item identifier.

Source: the 249 officially assigned codes in Debian's iso-codes 4.15.0
(/usr/share/iso-codes/json/iso_3166-1.json, https://salsa.debian.org/iso-codes-team/iso-codes),
which follows the ISO 3166 Maintenance Agency. UPU S10 ends an item identifier with
the ISO 3166-1 alpha-2 code of the country or territory whose designated operator
issued it, so the territories with their own posts are here too (GG, JE, IM, AX, FO,
GL, HK, MO, CW, SX, BQ ...). Not included: user-assigned codes (AA, QM–QZ, XA–XZ,
ZZ) and exceptionally or transitionally reserved ones (UK, EU, AN, YU ...), which
ISO does not assign to a country. XK (Kosovo at some international bodies) is
user-assigned; add it here if items really arrive with it. Update from a newer
iso-codes when ISO adds a code.
"""

ISO_3166_ALPHA2 = frozenset("""
    AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE
    BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ CA CC CD
    CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM
    DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF
    GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU
    ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN
    KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME
    MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA
    NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM
    PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI
    SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK
    TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI
    VN VU WF WS YE YT ZA ZM ZW
""".split())
