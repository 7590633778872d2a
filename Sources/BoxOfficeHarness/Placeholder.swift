// BoxOfficeHarness
