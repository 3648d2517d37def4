#!/usr/bin/env python3
"""An AWS get-account-authorization-details export of N users in N/10 groups (each user in
one group), for the fleet tests and benchmark: python3 gen_export.py N ACCOUNT > export.json"""
import json
import sys

n, account = int(sys.argv[1]), sys.argv[2]
groups = max(1, n // 10)
users = [{"Path": "/", "UserName": f"user{i:06d}", "UserId": f"AIDA{i:017d}",
          "Arn": f"arn:aws:iam::{account}:user/user{i:06d}",
          "CreateDate": "2026-01-01T00:00:00+00:00", "UserPolicyList": [],
          "GroupList": [f"team{i % groups:05d}"], "AttachedManagedPolicies": [],
          "Tags": [{"Key": "team", "Value": f"team{i % groups:05d}"}]}
         for i in range(n)]
doc = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"host:Login","Resource":"*"}]}'
grps = [{"Path": "/", "GroupName": f"team{g:05d}", "GroupId": f"AGPA{g:017d}",
         "Arn": f"arn:aws:iam::{account}:group/team{g:05d}",
         "CreateDate": "2026-01-01T00:00:00+00:00",
         "GroupPolicyList": [{"PolicyName": "login", "PolicyDocument": doc}],
         "AttachedManagedPolicies": []}
        for g in range(groups)]
json.dump({"UserDetailList": users, "GroupDetailList": grps, "RoleDetailList": [],
           "Policies": []}, sys.stdout)
