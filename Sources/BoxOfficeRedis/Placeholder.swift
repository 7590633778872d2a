// BoxOfficeRedis
