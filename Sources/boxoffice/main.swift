print("boxoffice: not yet")
