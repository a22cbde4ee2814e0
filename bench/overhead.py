"""Request overhead: N sequential GETs through the generated client vs raw httpx2 + pydantic
(httpx2: the library the generated package is on).

Usage: python bench/overhead.py URL N ROUNDS (with generated/parallel_tasks importable).
Rounds alternate between the two ways so that drift of the machine hits both alike; prints
a JSON object of the per-round seconds of each way.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time

import httpx2
from parallel_tasks import AsyncClient, Client, models

PATH = "/v1/tasks/runs/trun_1"


def sync_generated(url: str, n: int) -> float:
    with Client(api_key="k", base_url=url) as client:
        client.task_runs.retrieve("trun_1")
        started = time.perf_counter()
        for _ in range(n):
            client.task_runs.retrieve("trun_1")
        return time.perf_counter() - started


def sync_raw(url: str, n: int) -> float:
    with httpx2.Client(base_url=url, headers={"x-api-key": "k"}) as http:
        models.TaskRun.model_validate_json(http.get(PATH).content)
        started = time.perf_counter()
        for _ in range(n):
            response = http.get(PATH)
            response.raise_for_status()
            models.TaskRun.model_validate_json(response.content)
        return time.perf_counter() - started


async def async_generated(url: str, n: int) -> float:
    async with AsyncClient(api_key="k", base_url=url) as client:
        await client.task_runs.retrieve("trun_1")
        started = time.perf_counter()
        for _ in range(n):
            await client.task_runs.retrieve("trun_1")
        return time.perf_counter() - started


async def async_raw(url: str, n: int) -> float:
    async with httpx2.AsyncClient(base_url=url, headers={"x-api-key": "k"}) as http:
        models.TaskRun.model_validate_json((await http.get(PATH)).content)
        started = time.perf_counter()
        for _ in range(n):
            response = await http.get(PATH)
            response.raise_for_status()
            models.TaskRun.model_validate_json(response.content)
        return time.perf_counter() - started


def main() -> None:
    url, n, rounds = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    times: dict[str, list[float]] = {
        "sync_generated": [],
        "sync_raw": [],
        "async_generated": [],
        "async_raw": [],
    }
    for _ in range(rounds):
        times["sync_raw"].append(sync_raw(url, n))
        times["sync_generated"].append(sync_generated(url, n))
        times["async_raw"].append(asyncio.run(async_raw(url, n)))
        times["async_generated"].append(asyncio.run(async_generated(url, n)))
    print(json.dumps(times))


if __name__ == "__main__":
    main()
