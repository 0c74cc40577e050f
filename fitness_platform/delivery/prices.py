"""What a report costs: token prices per model, and the estimate from a reply's usage.

Prices are USD per million tokens: ``input`` (not cached), ``output``, ``cache_write`` (tokens
written to the prompt cache) and ``cache_read`` (tokens read from it). The defaults are
Anthropic's list prices as published on its pricing page
(https://docs.anthropic.com/en/docs/about-claude/pricing, read 2026-12-02), keyed by a fragment of
the model id, so that Bedrock's ids (``anthropic.claude-sonnet-4-…-v1:0``) match too. Bedrock bills
by region and may differ: set ``FITNESS_LLM_PRICES`` to a JSON file of your own table, which
replaces these entry by entry. A model found in neither costs ``None`` (unknown), never 0."""

from __future__ import annotations

import functools
import json
from pathlib import Path

from fitness_platform.errors import ConfigurationError

DEFAULT_PRICES = {
    "claude-opus-4-1": {"input": 15.0, "output": 75.0, "cache_write": 18.75, "cache_read": 1.5},
    "claude-opus-4": {"input": 15.0, "output": 75.0, "cache_write": 18.75, "cache_read": 1.5},
    "claude-sonnet-4": {"input": 3.0, "output": 15.0, "cache_write": 3.75, "cache_read": 0.3},
    "claude-3-7-sonnet": {"input": 3.0, "output": 15.0, "cache_write": 3.75, "cache_read": 0.3},
    "claude-3-5-haiku": {"input": 0.8, "output": 4.0, "cache_write": 1.0, "cache_read": 0.08},
    "claude-3-haiku": {"input": 0.25, "output": 1.25, "cache_write": 0.3, "cache_read": 0.03},
}
PRICE_KEYS = ("input", "output", "cache_write", "cache_read")
USAGE_PRICE = {
    "input_tokens": "input",
    "output_tokens": "output",
    "cache_write_tokens": "cache_write",
    "cache_read_tokens": "cache_read",
}


@functools.cache
def load_prices(path: str | None) -> dict[str, dict[str, float]]:
    """The default table, with the entries of ``path`` (a JSON object) replacing its own."""
    table = dict(DEFAULT_PRICES)
    if not path:
        return table
    try:
        extra = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ConfigurationError(f"FITNESS_LLM_PRICES: cannot read {path}: {exc}") from None
    if not isinstance(extra, dict):
        raise ConfigurationError(f"FITNESS_LLM_PRICES: {path} must hold a JSON object")
    for model, prices in extra.items():
        if not isinstance(prices, dict) or not all(
            isinstance(prices.get(k), (int, float)) and prices[k] >= 0 for k in PRICE_KEYS
        ):
            raise ConfigurationError(
                f"FITNESS_LLM_PRICES: {path}: {model!r} needs {', '.join(PRICE_KEYS)} "
                "(USD per million tokens, each ≥ 0)"
            )
        table[model] = {k: float(prices[k]) for k in PRICE_KEYS}
    return table


def price_of(table: dict, model_id: str) -> dict | None:
    """The entry whose key is the model id, or the longest key the id contains."""
    if model_id in table:
        return table[model_id]
    found = [key for key in table if key in model_id]
    return table[max(found, key=len)] if found else None


def estimate_cost(table: dict, model_id: str, usage: dict) -> float | None:
    prices = price_of(table, model_id)
    if prices is None:
        return None
    cost = sum(usage.get(key, 0) * prices[price] for key, price in USAGE_PRICE.items()) / 1e6
    return round(cost, 6)
