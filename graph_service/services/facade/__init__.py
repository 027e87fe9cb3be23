"""The REST facade's reads of passport data: fleet list, passport summary and series
(``batteries``) and the shared read helpers of facade services (``reading``)."""
