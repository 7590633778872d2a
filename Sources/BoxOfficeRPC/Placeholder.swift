// BoxOfficeRPC
