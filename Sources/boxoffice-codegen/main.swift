print("boxoffice-codegen: not yet")
