"""Contact points (联系点): where 送政策 and 送图书 count (DOMAIN.md).

A contact point is the bureau's (活动设置's 局联系点) or one a unit set up (its 联系点建设 rows'
地点或对象). A place is at a contact point when it names one in full or by the point's own
last part, as clerks write it: 庞庄村 for 临泉县庙岔镇庞庄村.
"""
from __future__ import annotations

import re

import pandas as pd

from zoufang.contract.schema import ACTIVITIES, ACTIVITY_CONTACT_POINT
from zoufang.reading import normalize as nz
from zoufang.reading.dataset import Campaign

_ADMIN_AREA = re.compile(r"^(.+?(?:省|自治区|自治州|地区|市|县|区|旗|镇|乡|街道办事处|街道))(.{2,})$")
_NOT_AN_AREA = ("社区", "小区", "园区", "景区", "校区", "厂区", "矿区")
_SEPARATORS = re.compile(r"[；;、，,/\n]+")


def last_part(name: str) -> str:
    """The point's own name without the administrative areas before it (临泉县庙岔镇庞庄村 → 庞庄村)."""
    rest = name
    while (m := _ADMIN_AREA.match(rest)) and not m.group(1).endswith(_NOT_AN_AREA):
        rest = m.group(2)
    return rest


def contact_points(campaign: Campaign) -> list[str]:
    """The bureau's contact points, then each unit's, in the order first named."""
    a = campaign[ACTIVITIES.key].frame
    places = list(a.loc[a["kind"] == ACTIVITY_CONTACT_POINT, "place"]) if "place" in a else []
    return points_named(campaign.settings.contact_point or "", places)


def points_named(bureau: str, places: list[str]) -> list[str]:
    """The points of 局联系点 (one or several, separated) and of the given 联系点建设 places, squeezed, once each."""
    points = [p.strip() for p in _SEPARATORS.split(nz.clean_text(bureau)) if p.strip()] + [p for p in places if p]
    return list(dict.fromkeys(nz.squeeze(p) for p in points if nz.squeeze(p)))


def at_contact_point(places: pd.Series, points: list[str]) -> pd.Series:
    """True where a place names one of ``points`` in full or by its last part."""
    keys = sorted({k for p in points for k in (p, last_part(p))}, key=len, reverse=True)
    if not keys:
        return pd.Series(False, index=places.index)
    pattern = re.compile("|".join(map(re.escape, keys)))
    return places.fillna("").map(lambda text: bool(pattern.search(nz.squeeze(str(text))))).astype(bool)
