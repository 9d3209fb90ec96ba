"""Where training progress is kept: one database described once (`schema`), the attempt and its hash chain
(`records`), the chain heads checkpointed outside the attempts table (`checkpoint`), the local outbox for when
the database is away (`outbox`), the attempts store (`progress`) and the staff roster (`roster`).
"""
