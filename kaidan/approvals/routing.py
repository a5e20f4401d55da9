"""From the rules that matched to the route an order takes, pure Python.

Each matching rule contributes its steps in order; a step identical to one already on the route (same
role or people, same mode) is not added again but carries the extra reason, so one sales manager
approval covers both "over ¥50,000" and "discount above 10%"."""

from __future__ import annotations

from dataclasses import dataclass, field

from kaidan.approvals.conditions import Reason


@dataclass(frozen=True)
class StepSpec:
    role: str  # a role, or "" when the step names people
    user_ids: tuple[int, ...]  # sorted; empty when the step names a role
    mode: str

    @property
    def key(self) -> tuple:
        return (self.role, self.user_ids, self.mode)


@dataclass
class RouteStep:
    spec: StepSpec
    reasons: list[Reason] = field(default_factory=list)
    rule_names: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Match:
    rule_name: str
    reason: Reason
    steps: tuple[StepSpec, ...]


def build_route(matches: list[Match]) -> list[RouteStep]:
    route: list[RouteStep] = []
    by_key: dict[tuple, RouteStep] = {}
    for match in matches:
        for spec in match.steps:
            step = by_key.get(spec.key)
            if step is None:
                step = by_key[spec.key] = RouteStep(spec)
                route.append(step)
            if match.reason not in step.reasons:
                step.reasons.append(match.reason)
            if match.rule_name not in step.rule_names:
                step.rule_names.append(match.rule_name)
    return route
