/// A local BoxOffice cluster and the ticket drop run against it (placeholder until built).
public enum BoxOfficeCluster {}
