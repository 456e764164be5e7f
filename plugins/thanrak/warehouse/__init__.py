"""The PostgreSQL side: connections and the embedded server, versioned migrations, reference data
(areas from geothai, the calendar), roles and access, and the run log of the pipeline's stages."""
