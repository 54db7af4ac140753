// Placeholder until the console client lands (issue 3).
print("dossier: console client not built yet; use nc 127.0.0.1 7878")
