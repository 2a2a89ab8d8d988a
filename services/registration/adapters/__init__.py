"""The registration service's I/O: tables, repositories, the unit of work, exports."""
