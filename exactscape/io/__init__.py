"""Inputs, outputs and certificates: every file exactscape reads or writes goes through here."""
