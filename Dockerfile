# The Thanrak image: Airflow with the locked Python environment, the thanrak package and dbt project.
FROM apache/airflow:3.3.2-python3.11

COPY --chown=airflow:root requirements.lock pyproject.toml README.md /opt/thanrak/
RUN pip install --no-cache-dir -r /opt/thanrak/requirements.lock
COPY --chown=airflow:root plugins /opt/thanrak/plugins
COPY --chown=airflow:root dags /opt/airflow/dags
COPY --chown=airflow:root dbt_project /opt/thanrak/dbt_project
COPY --chown=airflow:root contracts /opt/thanrak/contracts
COPY --chown=airflow:root expectations /opt/thanrak/expectations
RUN pip install --no-cache-dir --no-deps -e /opt/thanrak

ENV THANRAK_DBT_PROJECT_DIR=/opt/thanrak/dbt_project \
    THANRAK_EXPECTATIONS_DIR=/opt/thanrak/expectations \
    THANRAK_VAR_DIR=/opt/airflow/thanrak-var \
    AIRFLOW__CORE__LOAD_EXAMPLES=False \
    AIRFLOW__COSMOS__ENABLE_TELEMETRY=False \
    DO_NOT_TRACK=1
