"""The words a clerk reads as one, which a printed line keeps whole: people's and units' names, the contract's
headings and choices, metrics and statuses (a Chinese line may otherwise break between any two characters)."""
from __future__ import annotations

from zoufang.contract.schema import ALL_SHEETS, COLLECTIVE_METRICS, PERSONAL_METRICS, QUOTA_SUBJECTS
from zoufang.progress.quota import STATUS_ORDER
from zoufang.reading.dataset import Campaign


def printed_terms(campaign: Campaign) -> tuple[str, ...]:
    """The campaign's names and the contract's words, each once."""
    names = [*campaign.people["name"], *campaign.units["name"]]
    contract = [c for sheet in ALL_SHEETS for col in sheet.columns for c in (*col.choices, col.label)]
    return tuple(dict.fromkeys(t for t in (*names, *contract, *PERSONAL_METRICS, *COLLECTIVE_METRICS,
                                           *QUOTA_SUBJECTS, *STATUS_ORDER) if isinstance(t, str) and t.strip()))
