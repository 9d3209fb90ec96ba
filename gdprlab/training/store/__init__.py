"""training/store"""
