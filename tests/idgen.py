"""Build valid test identifiers from the published rules (independent of forms/)."""

_W = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def resident_id(region: str = "371402", birth: str = "19900307", seq: str = "123") -> str:
    body = region + birth + seq
    return body + "10X98765432"[sum(int(c) * w for c, w in zip(body, _W)) % 11]


def s10(prefix: str = "EA", digits: str = "12345678", country: str = "CN") -> str:
    r = sum(int(d) * w for d, w in zip(digits, (8, 6, 4, 2, 3, 5, 9, 7))) % 11
    check = {0: 5, 1: 0}.get(r, 11 - r)
    return f"{prefix}{digits}{check}{country}"
