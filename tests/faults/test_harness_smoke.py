import requests

from tests.utils import daphne_server


def test_a_production_process_on_a_private_redis_serves_pages(private_redis, production_env, tmp_path):
    env = {**production_env, "REDIS_URL": private_redis.url()}
    with daphne_server(env, tmp_path / "daphne.log") as url:
        assert requests.get(url + "/", timeout=10).status_code == 200
        parts = requests.get(url + "/readyz", timeout=10).json()["parts"]
    assert parts["cache"]["backend"] == "redis" and parts["cache"]["status"] == "ok", parts
    assert parts["sql"]["status"] == "ok" and parts["documents"]["status"] == "ok", parts
