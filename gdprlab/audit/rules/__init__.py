"""audit/rules"""
