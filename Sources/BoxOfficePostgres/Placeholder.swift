// BoxOfficePostgres
