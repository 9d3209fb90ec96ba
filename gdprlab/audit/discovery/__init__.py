"""audit/discovery"""
