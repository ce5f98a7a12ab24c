"""The documented layout of a user's repository, the same as the TypeScript agent's
(agent/README.md, "Workspace layout"), so one repository works with both agents."""

from __future__ import annotations

import re
from typing import Any

PROFILE_FILE = "profile.json"
SYSTEM_PROMPT_FILE = "system-prompt.md"
WORKSPACE_FILE = "workspace.json"
INDICATORS_DIR = "indicators"
STRATEGIES_DIR = "strategies"
CONVERSATIONS_DIR = "conversations"

TIMEFRAMES = ("1m", "5m", "15m", "30m", "1h", "4h", "1d", "1w")
RISK = ("low", "medium", "high")

# Names of saved items: no path syntax at all, so no traversal and no `.git`.
ITEM_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
CHART_ID = ITEM_NAME
SYMBOL = re.compile(r"^[A-Za-z0-9._:/-]{1,32}$")

DEFAULT_PROFILE: dict[str, Any] = {
    "displayName": "",
    "tradingStyle": "",
    "riskTolerance": "medium",
    "markets": [],
    "preferences": {},
}

DEFAULT_WORKSPACE: dict[str, Any] = {
    "symbol": "BTCUSDT",
    "timeframe": "1h",
    "indicators": [],
    "openAnalysis": None,
}

DEFAULT_SYSTEM_PROMPT = """# My assistant

<!-- Your own instructions for the assistant. They are added to every conversation. -->
"""

MAX_SAVED_ITEMS = 200
MAX_SPEC_BYTES = 32 * 1024
MAX_STRATEGY_BYTES = 64 * 1024
MAX_PYTHON_BYTES = 64 * 1024
MAX_SYSTEM_PROMPT = 16 * 1024
