"""Competitions: contests with a clock, registration, frozen boards, re-verification, disqualification."""
