// BoxOfficeAPI
