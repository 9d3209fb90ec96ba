"""Where training progress is kept: one database described once (`schema`), the attempt and its hash chain
(`records`), the local outbox for when the database is away (`outbox`), the attempts store (`progress`)
and the staff roster (`roster`).
"""
