"""Zeek and Suricata EVE lines in the shapes their documentation describes, beyond the shared samples (issue #4).

Sources of the shapes: docs.zeek.org log reference (conn, dns, http, ssl, ssh, files, notice, weird, x509,
dhcp, smtp, ftp; JSON with epoch and ISO-8601 `ts`; TSV headers), the elastic/beats Zeek module test logs,
docs.suricata.io "Eve JSON Format" (alert with metadata/rule/payload, flow, netflow, dns v1/v2 answers,
http, tls with ja3/ja3s, fileinfo, anomaly, drop, smtp, ssh, dhcp, stats) and EVE over syslog
(`filetype: syslog`, rsyslog `@cee:`). Addresses and names are documentation values.
"""

from __future__ import annotations

import orjson
import pytest

from collectors.parsers import ParseContext, detect_format, get_parser
from soc.errors import ParseError

# ---------------------------------------------------------------- Zeek JSON
Z_CONN_EPOCH = '{"ts":1547188415.857497,"uid":"CAcJw21BbVedgFnYH3","id.orig_h":"192.168.86.167","id.orig_p":38339,"id.resp_h":"192.168.86.1","id.resp_p":53,"proto":"udp","service":"dns","duration":0.076967,"orig_bytes":75,"resp_bytes":178,"conn_state":"SF","local_orig":true,"local_resp":true,"missed_bytes":0,"history":"Dd","orig_pkts":1,"orig_ip_bytes":103,"resp_pkts":1,"resp_ip_bytes":206,"tunnel_parents":[]}'
Z_CONN_ISO_IPV6 = '{"_path":"conn","_write_ts":"2020-04-28T11:07:58.223688Z","ts":"2020-04-28T11:07:57.001234Z","uid":"C1b4sv2bKvIwuvZ2sb","id.orig_h":"2001:db8::1","id.orig_p":51000,"id.resp_h":"2001:db8::53","id.resp_p":53,"proto":"udp","conn_state":"S0","missed_bytes":0,"history":"D","orig_pkts":1,"orig_ip_bytes":80,"resp_pkts":0,"resp_ip_bytes":0}'
Z_DNS_ANSWERS = '{"ts":1547188415.857497,"uid":"CAcJw21BbVedgFnYH3","id.orig_h":"192.168.86.167","id.orig_p":38339,"id.resp_h":"192.168.86.1","id.resp_p":53,"proto":"udp","trans_id":15209,"rtt":0.076967,"query":"dd625ffb4fc54735b281862aa1cd6cd4.us-west1.gcp.cloud.es.io","qclass":1,"qclass_name":"C_INTERNET","qtype":1,"qtype_name":"A","rcode":0,"rcode_name":"NOERROR","AA":false,"TC":false,"RD":true,"RA":true,"Z":0,"answers":["proxy-production-us-west1.gcp.cloud.es.io","proxy-production-us-west1-v1-009.gcp.cloud.es.io","35.199.178.4"],"TTLs":[119.0,119.0,59.0],"rejected":false}'
Z_DNS_NXDOMAIN = '{"_path":"dns","ts":1547188416.0,"uid":"Cx1","id.orig_h":"10.1.1.5","id.orig_p":5353,"id.resp_h":"10.1.1.1","id.resp_p":53,"proto":"udp","trans_id":1,"query":"nonexistent.example","qtype_name":"AAAA","rcode":3,"rcode_name":"NXDOMAIN","AA":false,"TC":false,"RD":true,"RA":true,"rejected":false}'
Z_HTTP_OCSP = '{"ts":1584453040.535156,"uid":"CCNp8v1SNzY7v9d1Ih","id.orig_h":"10.178.98.102","id.orig_p":62995,"id.resp_h":"17.253.5.203","id.resp_p":80,"trans_depth":1,"method":"GET","host":"ocsp.apple.com","uri":"/ocsp04-aaica02/ME4wTKADAgEAMEUwQzBBMAkGBSsOAwIaBQAEFNqvF%2BZa2sSB8GYuvKHhqYZ1rHbKBBQ4%2FsY2hsf5NaDq2iTy9RjUEyR5LQIIYjq4B8qRVBE%3D","version":"1.1","user_agent":"com.apple.trustd/2.0","request_body_len":0,"response_body_len":3735,"status_code":200,"status_msg":"OK","tags":[],"resp_fuids":["F5zuip1tSwASjNAHy7"],"resp_mime_types":["application/ocsp-response"]}'
Z_HTTP_404_AUTH = '{"_path":"http","ts":1584453041.0,"uid":"C2","id.orig_h":"10.0.0.2","id.orig_p":40000,"id.resp_h":"10.0.0.80","id.resp_p":8080,"trans_depth":1,"method":"POST","host":"intranet.so.gov.vn","uri":"/login.php?user=a","referrer":"http://intranet.so.gov.vn/","version":"1.1","user_agent":"curl/7.68.0","request_body_len":31,"response_body_len":0,"status_code":404,"status_msg":"Not Found","username":"admin","password":"secret","tags":[]}'
Z_SSL_ZEEK4 = '{"ts":1598377391.921726,"uid":"CsukF91Bx9mrqdEaH9","id.orig_h":"192.168.4.49","id.orig_p":56718,"id.resp_h":"13.32.202.10","id.resp_p":443,"version":"TLSv12","cipher":"TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256","curve":"secp256r1","server_name":"www.taosecurity.com","resumed":false,"next_protocol":"h2","established":true,"ssl_history":"CsiI","cert_chain_fps":["6bacfa4536150ed996f2b0c05ab6e345a257225f449aeb9d2018ccd88f4ede43"],"client_cert_chain_fps":[],"sni_matches_cert":true,"validation_status":"ok","ja3":"e6573e91e6eb777c0933c5b8f97f10cd","ja3s":"efd77fb2dd4b7b5ec29d2b1c6b3ef2e4"}'
Z_SSL_FAILED = '{"_path":"ssl","ts":1598377392.0,"uid":"C3","id.orig_h":"192.168.4.49","id.orig_p":56719,"id.resp_h":"203.0.113.9","id.resp_p":443,"server_name":"bad.example","resumed":false,"established":false,"ssl_history":"C","validation_status":"self signed certificate"}'
Z_SSH_FAILED = '{"ts":1562527532.904291,"uid":"CajWfz1b3qnnWT0BU9","id.orig_h":"192.168.1.2","id.orig_p":48380,"id.resp_h":"192.168.1.1","id.resp_p":22,"version":2,"auth_success":false,"auth_attempts":2,"direction":"INBOUND","client":"SSH-2.0-OpenSSH_7.9p1 Ubuntu-10","server":"SSH-2.0-OpenSSH_6.6.1p1 Debian-4~bpo70+1","cipher_alg":"chacha20-poly1305@openssh.com","mac_alg":"umac-64-etm@openssh.com","compression_alg":"none","kex_alg":"curve25519-sha256","host_key_alg":"ecdsa-sha2-nistp256","host_key":"86:71:ac:9c:35:1c:28:29:05:81:48:ec:66:67:de:bd"}'
Z_FILES_OLD = '{"ts":1258867934.558264,"fuid":"FBbQxG1GXLXgmWhbk9","tx_hosts":["192.168.1.77"],"rx_hosts":["192.168.1.1"],"conn_uids":["CpWqiBFsmnkj4fbE6"],"source":"HTTP","depth":0,"analyzers":["MD5","SHA1"],"mime_type":"application/x-dosexec","filename":"setup.exe","duration":0.0,"local_orig":true,"is_orig":false,"seen_bytes":4096,"total_bytes":4096,"missing_bytes":0,"overflow_bytes":0,"timedout":false,"md5":"6a1c34b3d1cbb3c1ef1b1d8d6a8e9e28","sha1":"f3a5c3b6d1a7ef0e4a4b7a3ee5b3a3c1f1d5e2a1","extracted":"extract-1258867934.558264-HTTP-FBbQxG1GXLXgmWhbk9"}'
Z_FILES_ZEEK5 = '{"_path":"files","ts":1258867934.6,"fuid":"FZ2","uid":"CpWqiBFsmnkj4fbE6","id.orig_h":"192.168.1.77","id.orig_p":50000,"id.resp_h":"192.168.1.1","id.resp_p":80,"source":"HTTP","depth":0,"analyzers":["SHA256"],"mime_type":"text/html","duration":0.001,"is_orig":false,"seen_bytes":512,"missing_bytes":0,"overflow_bytes":0,"timedout":false,"sha256":"b5bb9d8014a0f9b1d61e21e796d78dccdf1352f23cd32812f4850b878ae4944c"}'
Z_NOTICE_SCAN = '{"ts":1320435875.879278,"uid":"CsukF91Bx9mrqdEaH9","id.orig_h":"192.168.1.1","id.orig_p":53,"id.resp_h":"192.168.1.2","id.resp_p":56167,"proto":"udp","note":"Scan::Port_Scan","msg":"192.168.1.1 scanned at least 15 unique ports of host 192.168.1.2 in 0m1s","sub":"local","src":"192.168.1.1","dst":"192.168.1.2","p":53,"actions":["Notice::ACTION_LOG"],"suppress_for":3600.0,"dropped":false}'
Z_NOTICE_NO_CONN = '{"_path":"notice","ts":1320435876.0,"note":"SSH::Password_Guessing","msg":"203.0.113.50 appears to be guessing SSH passwords (seen in 30 connections).","sub":"Sampled servers:  10.0.0.22, 10.0.0.22","src":"203.0.113.50","actions":["Notice::ACTION_LOG"],"suppress_for":3600.0}'
Z_WEIRD_CONN = '{"ts":1543877999.99354,"uid":"C1ralPp062bkwWt4e","id.orig_h":"192.168.1.1","id.orig_p":64521,"id.resp_h":"192.168.1.2","id.resp_p":53,"name":"dns_unmatched_reply","notice":false,"peer":"worker-6"}'
Z_WEIRD_NO_CONN = '{"_path":"weird","ts":1543878000.1,"name":"non_ip_packet_in_ethernet","notice":false,"peer":"zeek","source":"TCP"}'
Z_X509 = '{"ts":1258867934.558264,"id":"FBbQxG1GXLXgmWhbk9","certificate.version":3,"certificate.serial":"01","certificate.subject":"CN=www.example.com,O=Example Inc,C=US","certificate.issuer":"CN=Example CA,O=Example Inc,C=US","certificate.not_valid_before":1240000000.0,"certificate.not_valid_after":1560000000.0,"certificate.key_alg":"rsaEncryption","certificate.sig_alg":"sha256WithRSAEncryption","certificate.key_type":"rsa","certificate.key_length":2048,"certificate.exponent":"65537","san.dns":["www.example.com","example.com"],"basic_constraints.ca":false}'
Z_DHCP = '{"ts":1476605498.771847,"uids":["CmWOt6VWaNGqXYcH6","CLObLo4YHn0u23Tp8a"],"client_addr":"192.168.199.132","server_addr":"192.168.199.254","mac":"00:0c:29:03:df:ad","host_name":"DESKTOP-2AEFM7G","client_fqdn":"DESKTOP-2AEFM7G","domain":"localdomain","requested_addr":"192.168.199.132","assigned_addr":"192.168.199.132","lease_time":1800.0,"msg_types":["REQUEST","ACK"],"duration":0.000161}'
Z_SMTP = '{"ts":1254722768.219663,"uid":"C1qe8w3QHRF2N5tVV5","id.orig_h":"10.10.1.4","id.orig_p":1470,"id.resp_h":"74.53.140.153","id.resp_p":25,"trans_depth":1,"helo":"GP","mailfrom":"gurpartap@patriots.in","rcptto":["raj_deol2002in@yahoo.co.in"],"date":"Mon, 5 Oct 2009 11:36:07 +0530","from":"\\"Gurpartap Singh Bains\\" <gurpartap@patriots.in>","to":["<raj_deol2002in@yahoo.co.in>"],"msg_id":"<000301ca4581$ef9e57f0$cedb07d0$@in>","subject":"SMTP","last_reply":"250 OK id=1Mugho-0003Dg-Un","path":["74.53.140.153","10.10.1.4"],"user_agent":"Microsoft Office Outlook 12.0","tls":false,"fuids":["Fel9gs4OtNEV6gUJZ5"],"is_webmail":false}'
Z_FTP_EPSV = '{"ts":1187379104.955342,"uid":"CpQoCn3o28tke89zv9","id.orig_h":"192.168.1.182","id.orig_p":62014,"id.resp_h":"192.168.1.231","id.resp_p":21,"user":"ftp","password":"ftp","command":"EPSV","reply_code":229,"reply_msg":"Entering Extended Passive Mode (|||37100|)","data_channel.passive":true,"data_channel.orig_h":"192.168.1.182","data_channel.resp_h":"192.168.1.231","data_channel.resp_p":37100}'
Z_FTP_RETR_550 = '{"_path":"ftp","ts":1187379105.0,"uid":"CpQoCn3o28tke89zv9","id.orig_h":"192.168.1.182","id.orig_p":62014,"id.resp_h":"192.168.1.231","id.resp_p":21,"user":"anonymous","password":"<hidden>","command":"RETR","arg":"ftp://192.168.1.231/resume.doc","mime_type":"application/msword","file_size":39424,"reply_code":550,"reply_msg":"No such file"}'
Z_CONN_NESTED_ID = '{"_path":"conn","ts":1547188417.1,"uid":"C9","id":{"orig_h":"10.2.2.2","orig_p":1234,"resp_h":"10.3.3.3","resp_p":445},"proto":"tcp","conn_state":"REJ","history":"Sr","orig_pkts":1,"resp_pkts":1}'
Z_SYSLOG = '<134>Nov 23 10:00:01 sensor1 zeek: {"_path":"conn","ts":1547188418.0,"uid":"C10","id.orig_h":"10.2.2.2","id.orig_p":1234,"id.resp_h":"10.3.3.3","id.resp_p":80,"proto":"tcp","conn_state":"SF"}'

# ---------------------------------------------------------------- Suricata EVE
E_ALERT_V6_METADATA = '{"timestamp":"2017-04-07T22:24:37.251547+0100","flow_id":586497171462735,"pcap_cnt":53381,"event_type":"alert","src_ip":"192.168.2.14","src_port":50096,"dest_ip":"209.53.113.5","dest_port":80,"proto":"TCP","metadata":{"flowbits":["http.dottedquadhost"]},"tx_id":4,"alert":{"action":"allowed","gid":1,"signature_id":2018358,"rev":10,"signature":"ET HUNTING GENERIC SUSPICIOUS POST to Dotted Quad with Fake Browser 1","category":"Potentially Bad Traffic","severity":2,"metadata":{"affected_product":["Windows_XP_Vista_7_8_10_Server_32_64_Bit"],"created_at":["2014_04_07"],"signature_severity":["Major"]},"rule":"alert http $HOME_NET any -> $EXTERNAL_NET any (msg:\\"ET HUNTING ...\\"; sid:2018358; rev:10;)"},"app_proto":"http","payload":"UE9TVCAvIEhUVFAvMS4xDQo=","payload_printable":"POST / HTTP/1.1\\r\\n","stream":0,"packet":"AAAA","packet_info":{"linktype":1}}'
E_ALERT_BLOCKED_V6 = '{"timestamp":"2019-03-12T08:23:51.123456+0700","flow_id":1234,"in_iface":"eth0","event_type":"alert","src_ip":"2001:0db8:0000:0000:0000:0000:0000:0001","src_port":443,"dest_ip":"2001:0db8:0000:0000:0000:0000:0000:0002","dest_port":51234,"proto":"TCP","alert":{"action":"blocked","gid":1,"signature_id":2100498,"rev":7,"signature":"GPL ATTACK_RESPONSE id check returned root","category":"Potentially Bad Traffic","severity":2},"flow":{"pkts_toserver":3,"pkts_toclient":4,"bytes_toserver":300,"bytes_toclient":400,"start":"2019-03-12T08:23:50.000000+0700"}}'
E_ALERT_ICMP_V7 = '{"timestamp":"2023-06-01T10:00:00.000001+0000","flow_id":99,"event_type":"alert","src_ip":"10.0.0.5","dest_ip":"10.0.0.1","proto":"ICMP","icmp_type":8,"icmp_code":0,"pkt_src":"wire/pcap","alert":{"action":"allowed","gid":1,"signature_id":2100366,"rev":8,"signature":"GPL ICMP_INFO PING *NIX","category":"Misc activity","severity":3,"source":{"ip":"10.0.0.5","port":0},"target":{"ip":"10.0.0.1","port":0}},"direction":"to_server"}'
E_FLOW = '{"timestamp":"2017-04-07T22:24:37.251547+0000","flow_id":586497171462735,"event_type":"flow","src_ip":"192.168.2.14","src_port":50096,"dest_ip":"209.53.113.5","dest_port":80,"proto":"TCP","app_proto":"http","flow":{"pkts_toserver":5,"pkts_toclient":4,"bytes_toserver":1000,"bytes_toclient":2000,"start":"2017-04-07T22:24:36.000000+0000","end":"2017-04-07T22:24:37.000000+0000","age":1,"state":"closed","reason":"timeout","alerted":true},"tcp":{"tcp_flags":"1b","tcp_flags_ts":"1b","tcp_flags_tc":"1b","syn":true,"fin":true,"psh":true,"ack":true,"state":"closed"}}'
E_NETFLOW = '{"timestamp":"2017-04-07T22:24:37.251547+0000","flow_id":1,"event_type":"netflow","src_ip":"192.168.2.14","src_port":50096,"dest_ip":"209.53.113.5","dest_port":80,"proto":"TCP","app_proto":"http","netflow":{"pkts":5,"bytes":1000,"start":"2017-04-07T22:24:36.000000+0000","end":"2017-04-07T22:24:37.000000+0000","age":1,"min_ttl":64,"max_ttl":64}}'
E_DNS_V1_QUERY = '{"timestamp":"2017-04-07T22:24:37.251547+0000","flow_id":2,"event_type":"dns","src_ip":"10.16.1.11","src_port":60290,"dest_ip":"10.16.1.1","dest_port":53,"proto":"UDP","dns":{"type":"query","id":16000,"rrname":"www.suricata-ids.org","rrtype":"A","tx_id":0}}'
E_DNS_V1_ANSWER = '{"timestamp":"2017-04-07T22:24:37.301547+0000","flow_id":2,"event_type":"dns","src_ip":"10.16.1.1","src_port":53,"dest_ip":"10.16.1.11","dest_port":60290,"proto":"UDP","dns":{"type":"answer","id":16000,"flags":"8180","qr":true,"rd":true,"ra":true,"rcode":"NOERROR","rrname":"www.suricata-ids.org","rrtype":"A","ttl":10,"rdata":"192.0.78.24"}}'
E_DNS_V2_ANSWER = '{"timestamp":"2019-01-01T00:00:00.000000+0000","flow_id":3,"event_type":"dns","src_ip":"10.16.1.1","src_port":53,"dest_ip":"10.16.1.11","dest_port":60291,"proto":"UDP","dns":{"version":2,"type":"answer","id":45444,"flags":"8180","qr":true,"rd":true,"ra":true,"rcode":"NOERROR","rrname":"www.suricata-ids.org","rrtype":"A","answers":[{"rrname":"www.suricata-ids.org","rrtype":"CNAME","ttl":3324,"rdata":"suricata-ids.org"},{"rrname":"suricata-ids.org","rrtype":"A","ttl":10,"rdata":"192.0.78.24"},{"rrname":"suricata-ids.org","rrtype":"A","ttl":10,"rdata":"192.0.78.25"}],"grouped":{"A":["192.0.78.24","192.0.78.25"],"CNAME":["suricata-ids.org"]}}}'
E_DNS_V2_NXDOMAIN = '{"timestamp":"2019-01-01T00:00:01.000000+0000","flow_id":4,"event_type":"dns","src_ip":"10.16.1.1","src_port":53,"dest_ip":"10.16.1.11","dest_port":60292,"proto":"UDP","dns":{"version":2,"type":"answer","id":1,"flags":"8183","qr":true,"rd":true,"ra":true,"rcode":"NXDOMAIN","rrname":"nope.example","rrtype":"A"}}'
E_DNS_V3_REQUEST = '{"timestamp":"2024-08-01T00:00:00.000000+0000","flow_id":5,"event_type":"dns","src_ip":"10.16.1.11","src_port":60293,"dest_ip":"10.16.1.1","dest_port":53,"proto":"UDP","dns":{"version":3,"type":"request","tx_id":0,"id":7,"flags":"100","rd":true,"opcode":0,"queries":[{"rrname":"example.org","rrtype":"AAAA"}]}}'
E_HTTP_403 = '{"timestamp":"2017-04-07T22:24:37.251547+0000","flow_id":6,"event_type":"http","src_ip":"192.168.2.14","src_port":50096,"dest_ip":"209.53.113.5","dest_port":80,"proto":"TCP","tx_id":0,"http":{"hostname":"www.example.com","http_port":80,"url":"/admin/login.php?x=1","http_user_agent":"Mozilla/5.0","http_content_type":"text/html","http_refer":"http://www.example.com/","http_method":"POST","protocol":"HTTP/1.1","status":403,"length":162,"xff":"198.51.100.7"}}'
E_HTTP_V6_NO_RESPONSE = '{"timestamp":"2017-04-07T22:24:38.251547+0000","flow_id":7,"event_type":"http","src_ip":"2001:db8::5","src_port":50097,"dest_ip":"2001:db8::80","dest_port":80,"proto":"TCP","tx_id":0,"http":{"hostname":"[2001:db8::80]","url":"/","http_method":"GET","protocol":"HTTP/1.0","length":0}}'
E_TLS_JA3 = '{"timestamp":"2020-02-03T12:00:00.000000+0000","flow_id":8,"event_type":"tls","src_ip":"10.0.0.9","src_port":51000,"dest_ip":"93.184.216.34","dest_port":443,"proto":"TCP","tls":{"subject":"C=US, O=Example, CN=www.example.com","issuerdn":"C=US, O=DigiCert Inc, CN=DigiCert SHA2 Secure Server CA","serial":"0F:BE:08","fingerprint":"7b:c6:1d:c6:7e:9f:3c:a4:3e:7e:3e:0b:98:c8:e2:8e:3f:12:17:9f","sni":"www.example.com","version":"TLS 1.2","notbefore":"2018-11-28T00:00:00","notafter":"2020-12-02T12:00:00","ja3":{"hash":"e7d705a3286e19ea42f587b344ee6865","string":"771,49195-49199,0-23-65281,29-23-24,0"},"ja3s":{"hash":"f4febc55ea12b31ae17cfb7e614afda8","string":"771,49199,65281-0"}}}'
E_TLS13_RESUMED = '{"timestamp":"2020-02-03T12:00:01.000000+0000","flow_id":9,"event_type":"tls","src_ip":"10.0.0.9","src_port":51001,"dest_ip":"93.184.216.34","dest_port":443,"proto":"TCP","tls":{"sni":"www.example.com","version":"TLSv1.3","session_resumed":true}}'
E_FILEINFO = '{"timestamp":"2017-04-07T22:24:37.251547+0000","flow_id":10,"event_type":"fileinfo","src_ip":"209.53.113.5","src_port":80,"dest_ip":"192.168.2.14","dest_port":50096,"proto":"TCP","http":{"hostname":"www.example.com","url":"/setup.exe","http_user_agent":"Wget/1.20","http_method":"GET","protocol":"HTTP/1.1","status":200,"length":4096},"app_proto":"http","fileinfo":{"filename":"/setup.exe","magic":"PE32 executable (GUI) Intel 80386, for MS Windows","gaps":false,"state":"CLOSED","md5":"6a1c34b3d1cbb3c1ef1b1d8d6a8e9e28","sha1":"f3a5c3b6d1a7ef0e4a4b7a3ee5b3a3c1f1d5e2a1","sha256":"b5bb9d8014a0f9b1d61e21e796d78dccdf1352f23cd32812f4850b878ae4944c","stored":false,"size":4096,"tx_id":0}}'
E_ANOMALY_STREAM = '{"timestamp":"2020-02-03T12:00:02.000000+0000","flow_id":11,"event_type":"anomaly","src_ip":"10.0.0.9","src_port":51002,"dest_ip":"10.0.0.10","dest_port":80,"proto":"TCP","anomaly":{"type":"stream","event":"STREAM_PKT_INVALID_TIMESTAMP","code":21}}'
E_ANOMALY_DECODE = '{"timestamp":"2020-02-03T12:00:02.500000+0000","event_type":"anomaly","src_ip":"10.0.0.9","dest_ip":"10.0.0.10","proto":"UDP","anomaly":{"type":"decode","event":"decoder.ipv4.trunc_pkt"}}'
E_DROP = '{"timestamp":"2020-02-03T12:00:03.000000+0000","flow_id":12,"in_iface":"eth1","event_type":"drop","src_ip":"203.0.113.5","src_port":4444,"dest_ip":"10.0.0.10","dest_port":445,"proto":"TCP","drop":{"len":52,"tos":0,"ttl":117,"ipid":1234,"tcpseq":1,"tcpack":0,"tcpwin":8192,"syn":true,"ack":false,"psh":false,"rst":false,"urg":false,"fin":false,"tcpres":0,"tcpurgp":0}}'
E_SMTP = '{"timestamp":"2020-02-03T12:00:04.000000+0000","flow_id":13,"event_type":"smtp","src_ip":"10.10.1.4","src_port":1470,"dest_ip":"74.53.140.153","dest_port":25,"proto":"TCP","tx_id":0,"smtp":{"helo":"GP","mail_from":"<gurpartap@patriots.in>","rcpt_to":["<raj_deol2002in@yahoo.co.in>"]},"email":{"status":"PARSE_DONE","from":"\\"Gurpartap Singh Bains\\" <gurpartap@patriots.in>","to":["<raj_deol2002in@yahoo.co.in>"],"attachment":["NEWS.txt"],"subject":"SMTP"}}'
E_SSH = '{"timestamp":"2020-02-03T12:00:05.000000+0000","flow_id":14,"event_type":"ssh","src_ip":"203.0.113.50","src_port":40000,"dest_ip":"10.0.0.22","dest_port":22,"proto":"TCP","ssh":{"client":{"proto_version":"2.0","software_version":"libssh2_1.4.3"},"server":{"proto_version":"2.0","software_version":"OpenSSH_7.4"}}}'
E_DHCP = '{"timestamp":"2020-02-03T12:00:06.000000+0000","flow_id":15,"event_type":"dhcp","src_ip":"192.168.1.1","src_port":67,"dest_ip":"192.168.1.50","dest_port":68,"proto":"UDP","dhcp":{"type":"reply","id":4025162230,"client_mac":"52:54:00:12:34:56","assigned_ip":"192.168.1.50","relay_ip":"0.0.0.0","next_server_ip":"0.0.0.0","dhcp_type":"ack","lease_time":86400,"hostname":"client1"}}'
E_STATS = '{"timestamp":"2020-02-03T12:00:08.000000+0000","event_type":"stats","stats":{"uptime":120,"capture":{"kernel_packets":1000,"kernel_drops":0},"decoder":{"pkts":1000,"bytes":500000}}}'
E_ALERT_PLUS0700 = '{"timestamp":"2024-05-02T14:30:00.000000+0700","flow_id":16,"event_type":"alert","src_ip":"203.0.113.66","src_port":55555,"dest_ip":"10.10.10.10","dest_port":3389,"proto":"TCP","alert":{"action":"allowed","gid":1,"signature_id":2023753,"rev":2,"signature":"ET SCAN MS Terminal Server Traffic on Non-standard Port","category":"Attempted Information Leak","severity":2}}'
E_SYSLOG_3164 = '<134>Feb  3 12:00:09 ids1 suricata[1234]: {"timestamp":"2020-02-03T12:00:09.000000+0000","flow_id":17,"event_type":"alert","src_ip":"203.0.113.5","src_port":4444,"dest_ip":"10.0.0.10","dest_port":445,"proto":"TCP","alert":{"action":"allowed","gid":1,"signature_id":2024218,"rev":1,"signature":"ET EXPLOIT Possible ETERNALBLUE","category":"Attempted Administrator Privilege Gain","severity":1}}'
E_SYSLOG_5424_CEE = '<134>1 2020-02-03T12:00:10.000000+00:00 ids1 suricata 1234 - - @cee: {"timestamp":"2020-02-03T12:00:10.000000+0000","event_type":"flow","src_ip":"10.0.0.1","src_port":1,"dest_ip":"10.0.0.2","dest_port":2,"proto":"UDP","flow":{"pkts_toserver":1,"pkts_toclient":0,"bytes_toserver":60,"bytes_toclient":0}}'

ZEEK_JSON = [Z_CONN_EPOCH, Z_CONN_ISO_IPV6, Z_DNS_ANSWERS, Z_DNS_NXDOMAIN, Z_HTTP_OCSP, Z_HTTP_404_AUTH, Z_SSL_ZEEK4, Z_SSL_FAILED, Z_SSH_FAILED, Z_FILES_OLD, Z_FILES_ZEEK5, Z_NOTICE_SCAN, Z_NOTICE_NO_CONN, Z_WEIRD_CONN, Z_WEIRD_NO_CONN, Z_X509, Z_DHCP, Z_SMTP, Z_FTP_EPSV, Z_FTP_RETR_550, Z_CONN_NESTED_ID]
EVE = [E_ALERT_V6_METADATA, E_ALERT_BLOCKED_V6, E_ALERT_ICMP_V7, E_FLOW, E_NETFLOW, E_DNS_V1_QUERY, E_DNS_V1_ANSWER, E_DNS_V2_ANSWER, E_DNS_V2_NXDOMAIN, E_DNS_V3_REQUEST, E_HTTP_403, E_HTTP_V6_NO_RESPONSE, E_TLS_JA3, E_TLS13_RESUMED, E_FILEINFO, E_ANOMALY_STREAM, E_ANOMALY_DECODE, E_DROP, E_SMTP, E_SSH, E_DHCP, E_STATS, E_ALERT_PLUS0700, E_SYSLOG_3164, E_SYSLOG_5424_CEE]

# TSV: headers in another order (#types before #fields, #path last), sets/vectors, `-` and `(empty)`,
# IPv6, then a second file (dns) appended with its own header block.
ZEEK_TSV = """#separator \\x09
#set_separator	,
#empty_field	(empty)
#unset_field	-
#open	2019-01-01-00-00-00
#types	time	string	addr	port	addr	port	enum	string	interval	count	count	string	bool	bool	count	string	count	count	count	count	set[string]
#fields	ts	uid	id.orig_h	id.orig_p	id.resp_h	id.resp_p	proto	service	duration	orig_bytes	resp_bytes	conn_state	local_orig	local_resp	missed_bytes	history	orig_pkts	orig_ip_bytes	resp_pkts	resp_ip_bytes	tunnel_parents
#path	conn
1300475167.096535	CXWv6p3arKYeMETxOg	141.142.220.202	5353	224.0.0.251	5353	udp	dns	-	-	-	S0	-	-	0	D	1	73	0	0	(empty)
1300475168.853899	CjhGID4nQcgTWjvg4c	fe80::217:f2ff:fed7:cf65	5353	ff02::fb	5353	udp	-	-	-	-	S0	-	-	0	D	1	199	0	0	-
1300475169.780331	CCvvfg3TEfuqmmG4bh	10.0.0.1	49285	93.184.216.34	443	tcp	ssl,http	1.5	1024	4096	SF	T	F	0	ShADadFf	10	1500	12	5000	CjhGID4nQcgTWjvg4c,CXWv6p3arKYeMETxOg
#close	2019-01-01-00-01-00
#separator \\x09
#set_separator	,
#empty_field	(empty)
#unset_field	-
#path	dns
#fields	ts	uid	id.orig_h	id.orig_p	id.resp_h	id.resp_p	proto	trans_id	query	qtype_name	rcode_name	AA	TC	RD	RA	answers	TTLs
#types	time	string	addr	port	addr	port	enum	count	string	string	string	bool	bool	bool	bool	vector[string]	vector[interval]
1300475170.0	C4	10.0.0.1	5353	10.0.0.53	53	udp	7	www.example.com	AAAA	NOERROR	F	F	T	T	www.example.net,2001:db8::10	60.0,60.0
1300475171.0	C5	10.0.0.1	5354	10.0.0.53	53	udp	8	-	-	-	F	F	T	F	(empty)	(empty)"""


def _one(parser: str, line: str) -> dict:
    ev = get_parser(parser).parse(line, ParseContext())
    assert ev is not None
    orjson.dumps(ev)  # what the shipper does with it
    for key in ("event.dataset", "event.category", "event.action"):
        assert ev.get(key), (key, line[:80])
    return ev


def _has(ev: dict, **expected) -> None:
    got = {k.replace("__", "."): ev.get(k.replace("__", ".")) for k in expected}
    assert got == {k.replace("__", "."): v for k, v in expected.items()}


def test_every_variant_parses_and_is_detected():
    assert detect_format(ZEEK_JSON) == "zeek"
    assert detect_format(EVE) == "suricata"
    assert detect_format(ZEEK_TSV.splitlines()) == "zeek"
    for line in ZEEK_JSON:
        assert get_parser("zeek").detects(line), line[:60]
    for line in EVE:
        assert get_parser("suricata").detects(line), line[:60]


def test_zeek_tsv_header_order_sets_and_a_second_file():
    parser, ctx = get_parser("zeek"), ParseContext()
    events = [e for e in (parser.parse(ln, ctx) for ln in ZEEK_TSV.splitlines()) if e is not None]
    assert [e["event.dataset"] for e in events] == ["zeek.conn"] * 3 + ["zeek.dns"] * 2
    v6, ssl = events[1], events[2]
    _has(v6, source__ip="fe80::217:f2ff:fed7:cf65", destination__ip="ff02::fb", event__outcome="failure")
    assert "zeek.conn.tunnel_parents" not in events[0]  # (empty) is no value
    _has(ssl, network__protocol="ssl,http", source__bytes=1024, network__bytes=5120, event__outcome="success",
         event__duration=1_500_000_000, zeek__conn__local_orig=True)
    assert ssl["zeek.conn.tunnel_parents"] == ["CjhGID4nQcgTWjvg4c", "CXWv6p3arKYeMETxOg"]
    dns, empty = events[3], events[4]
    _has(dns, dns__question__name="www.example.com", event__outcome="success", dns__header_flags=["RD", "RA"])
    assert dns["dns.answers.data"] == ["www.example.net", "2001:db8::10"]
    assert dns["dns.resolved_ip"] == ["2001:db8::10"]
    assert "dns.question.name" not in empty and "event.outcome" not in empty and empty["dns.id"] == "8"


def test_zeek_tsv_iso_ts_from_a_site_time_format():
    parser, ctx = get_parser("zeek"), ParseContext()
    for header in ("#separator \\x09", "#path\tconn", "#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto"):
        assert parser.parse(header, ctx) is None
    ev = parser.parse("2020-04-28T11:07:57.001234Z\tC1\t10.0.0.1\t1\t10.0.0.2\t2\ttcp", ctx)
    _has(ev, **{"@timestamp": "2020-04-28T11:07:57.001Z"}, source__port=1, network__transport="tcp")


def test_zeek_conn_dns_http():
    _has(_one("zeek", Z_CONN_EPOCH), **{"@timestamp": "2019-01-11T06:33:35.857Z"}, event__dataset="zeek.conn",
         source__ip="192.168.86.167", destination__port=53, network__bytes=253, event__outcome="success")
    _has(_one("zeek", Z_CONN_ISO_IPV6), **{"@timestamp": "2020-04-28T11:07:57.001Z"}, source__ip="2001:db8::1",
         event__outcome="failure")
    dns = _one("zeek", Z_DNS_ANSWERS)
    _has(dns, dns__response_code="NOERROR", event__outcome="success", dns__resolved_ip=["35.199.178.4"])
    _has(_one("zeek", Z_DNS_NXDOMAIN), dns__response_code="NXDOMAIN", event__outcome="failure",
         dns__question__type="AAAA")
    ocsp = _one("zeek", Z_HTTP_OCSP)
    _has(ocsp, url__domain="ocsp.apple.com", http__response__status_code=200, event__outcome="success")
    login = _one("zeek", Z_HTTP_404_AUTH)
    _has(login, user__name="admin", url__path="/login.php", url__query="user=a", event__outcome="failure",
         destination__port=8080)


def test_zeek_ssl_ssh():
    ok = _one("zeek", Z_SSL_ZEEK4)
    _has(ok, tls__version="1.2", tls__version_protocol="tls", tls__server__ja3s="efd77fb2dd4b7b5ec29d2b1c6b3ef2e4",
         destination__domain="www.taosecurity.com", event__outcome="success")
    _has(_one("zeek", Z_SSL_FAILED), tls__established=False, event__outcome="failure")
    ssh = _one("zeek", Z_SSH_FAILED)
    _has(ssh, event__outcome="failure", event__category=["network", "authentication"], zeek__ssh__auth_attempts=2)


def test_zeek_files_notice_weird_x509():
    old = _one("zeek", Z_FILES_OLD)  # no _path, no conn id: tx/rx hosts
    _has(old, event__dataset="zeek.files", event__category=["file"], file__name="setup.exe",
         file__hash__md5="6a1c34b3d1cbb3c1ef1b1d8d6a8e9e28", file__size=4096, file__mime_type="application/x-dosexec",
         source__ip="192.168.1.77", destination__ip="192.168.1.1")
    new = _one("zeek", Z_FILES_ZEEK5)
    _has(new, zeek__session_id="CpWqiBFsmnkj4fbE6", source__port=50000, file__hash__sha256=new["file.hash.sha256"])
    scan = _one("zeek", Z_NOTICE_SCAN)
    _has(scan, event__dataset="zeek.notice", event__kind="alert", rule__name="Scan::Port_Scan",
         source__ip="192.168.1.1", destination__port=56167)  # the conn id wins over the notice's `p`
    assert scan["message"].startswith("192.168.1.1 scanned")
    guess = _one("zeek", Z_NOTICE_NO_CONN)
    _has(guess, rule__name="SSH::Password_Guessing", source__ip="203.0.113.50", event__kind="alert")
    _has(_one("zeek", Z_WEIRD_CONN), event__dataset="zeek.weird", rule__name="dns_unmatched_reply",
         source__ip="192.168.1.1")
    _has(_one("zeek", Z_WEIRD_NO_CONN), event__dataset="zeek.weird", message="non_ip_packet_in_ethernet")
    cert = _one("zeek", Z_X509)
    _has(cert, event__dataset="zeek.x509", x509__subject__distinguished_name="CN=www.example.com,O=Example Inc,C=US",
         x509__not_before="2009-04-17T20:26:40.000Z", x509__alternative_names=["www.example.com", "example.com"])


def test_zeek_dhcp_smtp_ftp_nested_id_and_relay():
    _has(_one("zeek", Z_DHCP), event__dataset="zeek.dhcp", event__action="dhcp-ack", event__outcome="success",
         source__ip="192.168.199.132", source__mac="00:0c:29:03:df:ad", source__domain="DESKTOP-2AEFM7G")
    smtp = _one("zeek", Z_SMTP)
    _has(smtp, event__dataset="zeek.smtp", email__from__address=["gurpartap@patriots.in"],
         email__to__address=["raj_deol2002in@yahoo.co.in"], email__subject="SMTP", event__outcome="success")
    _has(_one("zeek", Z_FTP_EPSV), event__dataset="zeek.ftp", user__name="ftp", event__action="ftp-epsv",
         event__outcome="success")
    _has(_one("zeek", Z_FTP_RETR_550), event__action="ftp-retr", event__outcome="failure", file__size=39424)
    nested = _one("zeek", Z_CONN_NESTED_ID)
    _has(nested, source__ip="10.2.2.2", destination__port=445, event__outcome="failure")
    assert "zeek.conn.id" not in nested
    relayed = _one("zeek", Z_SYSLOG)
    _has(relayed, event__dataset="zeek.conn", zeek__session_id="C10", destination__port=80)
    assert relayed["log.original"] == Z_SYSLOG  # the whole relayed line is kept
    assert detect_format([Z_SYSLOG] * 3) == "zeek"


def test_eve_alerts():
    first = _one("suricata", E_ALERT_V6_METADATA)
    _has(first, **{"@timestamp": "2017-04-07T21:24:37.251Z"}, rule__id="2018358", rule__version="10",
         suricata__eve__alert__gid=1, event__outcome="success",
         event__type=["allowed"], suricata__eve__payload_printable="POST / HTTP/1.1\r\n")
    assert first["suricata.eve.alert.rule"].startswith("alert http $HOME_NET")
    assert first["suricata.eve.alert.metadata.signature_severity"] == ["Major"]
    blocked = _one("suricata", E_ALERT_BLOCKED_V6)
    _has(blocked, source__ip="2001:db8::1", destination__ip="2001:db8::2", event__type=["denied"],
         event__outcome="failure", event__start="2019-03-12T01:23:50.000Z", network__packets=7)
    icmp = _one("suricata", E_ALERT_ICMP_V7)
    _has(icmp, network__transport="icmp", suricata__eve__alert__source__ip="10.0.0.5", event__severity=3)
    assert "source.port" not in icmp
    _has(_one("suricata", E_ALERT_PLUS0700), **{"@timestamp": "2024-05-02T07:30:00.000Z"}, destination__port=3389)


def test_eve_flow_netflow_dns():
    flow = _one("suricata", E_FLOW)
    _has(flow, event__start="2017-04-07T22:24:36.000Z", event__end="2017-04-07T22:24:37.000Z", network__bytes=3000,
         suricata__eve__flow__state="closed", suricata__eve__tcp__syn=True)
    netflow = _one("suricata", E_NETFLOW)
    _has(netflow, source__bytes=1000, source__packets=5, network__bytes=1000, event__end="2017-04-07T22:24:37.000Z",
         suricata__eve__netflow__min_ttl=64)
    assert "destination.bytes" not in netflow
    _has(_one("suricata", E_DNS_V1_QUERY), dns__type="query", dns__question__name="www.suricata-ids.org", dns__id="16000")
    _has(_one("suricata", E_DNS_V1_ANSWER), dns__answers__data=["192.0.78.24"], dns__resolved_ip=["192.0.78.24"],
         event__outcome="success", dns__header_flags=["RD", "RA"])
    _has(_one("suricata", E_DNS_V2_ANSWER), dns__answers__data=["suricata-ids.org", "192.0.78.24", "192.0.78.25"],
         dns__resolved_ip=["192.0.78.24", "192.0.78.25"])
    _has(_one("suricata", E_DNS_V2_NXDOMAIN), dns__response_code="NXDOMAIN", event__outcome="failure")
    _has(_one("suricata", E_DNS_V3_REQUEST), dns__question__name="example.org", dns__question__type="AAAA")


# Suricata 2.0 EVE: http status written as text, no app_proto, no flow_id (docs.suricata.io 2.0 eve example)
E_HTTP_SURICATA2 = ('{"timestamp":"2014-04-03T10:22:08.123456","event_type":"http","src_ip":"192.168.1.5",'
                    '"src_port":49555,"dest_ip":"93.184.216.34","dest_port":80,"proto":"TCP","http":{"hostname":'
                    '"example.com","url":"/","http_user_agent":"Wget/1.13.4","http_content_type":"text/html",'
                    '"http_method":"GET","protocol":"HTTP/1.1","status":"302","redirect":"http://www.example.com/",'
                    '"length":0}}')


def test_eve_suricata2_http_with_text_status_and_naive_time():
    ev = _one("suricata", E_HTTP_SURICATA2)  # a naive time is read in the configured zone (UTC+7 by default)
    _has(ev, **{"@timestamp": "2014-04-03T03:22:08.123Z"}, http__response__status_code=302, event__outcome="success",
         suricata__eve__http__redirect="http://www.example.com/")


def test_eve_http_tls_fileinfo():
    _has(_one("suricata", E_HTTP_403), http__version="1.1", http__response__status_code=403, event__outcome="failure",
         suricata__eve__http__xff="198.51.100.7", url__path="/admin/login.php")
    v6 = _one("suricata", E_HTTP_V6_NO_RESPONSE)
    _has(v6, source__ip="2001:db8::5", http__version="1.0", url__original="/")
    assert "event.outcome" not in v6  # no response seen
    tls = _one("suricata", E_TLS_JA3)
    _has(tls, tls__version="1.2", tls__version_protocol="tls", tls__client__ja3="e7d705a3286e19ea42f587b344ee6865",
         tls__server__ja3s="f4febc55ea12b31ae17cfb7e614afda8", tls__server__not_after="2020-12-02T12:00:00.000Z",
         suricata__eve__tls__serial="0F:BE:08")
    _has(_one("suricata", E_TLS13_RESUMED), tls__version="1.3", suricata__eve__tls__session_resumed=True)
    info = _one("suricata", E_FILEINFO)
    _has(info, file__name="setup.exe", file__path="/setup.exe", file__size=4096, event__category=["file", "network"],
         file__hash__sha256="b5bb9d8014a0f9b1d61e21e796d78dccdf1352f23cd32812f4850b878ae4944c",
         suricata__eve__fileinfo__magic="PE32 executable (GUI) Intel 80386, for MS Windows")


def test_eve_anomaly_drop_smtp_ssh_dhcp_stats():
    _has(_one("suricata", E_ANOMALY_STREAM), message="STREAM_PKT_INVALID_TIMESTAMP", suricata__eve__anomaly__code=21)
    _has(_one("suricata", E_ANOMALY_DECODE), message="decoder.ipv4.trunc_pkt", network__transport="udp")
    _has(_one("suricata", E_DROP), event__type=["denied"], event__outcome="failure", destination__port=445,
         suricata__eve__drop__syn=True)
    _has(_one("suricata", E_SMTP), event__category=["network", "email"], email__from__address=["gurpartap@patriots.in"],
         email__attachments__file__name=["NEWS.txt"], suricata__eve__smtp__helo="GP")
    _has(_one("suricata", E_SSH), suricata__eve__ssh__client__software_version="libssh2_1.4.3")
    _has(_one("suricata", E_DHCP), suricata__eve__dhcp__assigned_ip="192.168.1.50", destination__port=68)
    _has(_one("suricata", E_STATS), event__kind="metric", suricata__eve__stats__capture__kernel_drops=0)


def test_eve_through_syslog_relays():
    bsd = _one("suricata", E_SYSLOG_3164)
    _has(bsd, event__kind="alert", rule__id="2024218", **{"@timestamp": "2020-02-03T12:00:09.000Z"})
    assert bsd["log.original"] == E_SYSLOG_3164
    _has(_one("suricata", E_SYSLOG_5424_CEE), event__action="flow", network__bytes=60)
    assert detect_format([E_SYSLOG_3164, E_SYSLOG_5424_CEE]) == "suricata"


@pytest.mark.parametrize("line", [
    "<134>Feb  3 12:00:09 ids1 suricata[1234]: {\"timestamp\": \"2020-02-03T12:00:09Z\", \"event_type\": ",
    "<134>Feb  3 12:00:09 ids1 suricata[1234]: not json at all",
    "{\"timestamp\": \"2020-02-03T12:00:09Z\", \"event_type\": \"alert\", \"flow\": {\"start\": \"yesterday\"}}",
])
def test_eve_broken_relayed_lines_are_clear_errors_or_keep_the_odd_value(line):
    try:
        ev = get_parser("suricata").parse(line, ParseContext())
    except ParseError as exc:
        assert "Suricata EVE" in str(exc)
    else:
        assert ev["suricata.eve.flow.start"] == "yesterday" and "event.start" not in ev
