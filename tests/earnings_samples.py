"""Partners API earnings bodies in both documented shapes, shared by the unit tests."""

EARNINGS_2018 = {
    "balance": 641.50,
    "commission": 9894,
    "blocked": 0,
    "withdrawals": 9252.50,
    "pending": 0,
    "discount": 21569.8,
}
EARNINGS_TODAY = {
    "balance": 16519.12,
    "blocked": 10,
    "commission_total": 25771.62,
    "commission_last_30_days": 1203.3,
    "withdrawals": 9252.5,
    "pending": 120.05,
    "affiliate": {
        "commission_total": 20000.1,
        "commission_last_30_days": 1000,
        "livechat": {"commission_total": 15000.1, "commission_last_30_days": 800},
        "chatbot": {"commission_total": 5000, "commission_last_30_days": 200},
    },
    "solution": {
        "commission_total": 5771.52,
        "commission_last_30_days": 203.3,
        "livechat": {"commission_total": 5771.52, "commission_last_30_days": 203.3, "discount": 1442.88},
    },
}
