Attribute VB_Name = "zoufang"
Option Explicit

' The buttons of the campaign (dazoufang) workbook. Each calls the zoufang Python package
' through xlwings' RunPython; the work is done by zoufang.excel.binding, the same code the
' command line uses. Source is ASCII on purpose: captions live in the workbook and ribbon.

Sub ValidateData()
    RunPython "import zoufang.excel.binding as b; b.button_validate()"
End Sub

Sub RefreshCompletion()
    RunPython "import zoufang.excel.binding as b; b.button_refresh()"
End Sub

Sub MakeLedgers()
    RunPython "import zoufang.excel.binding as b; b.button_ledgers()"
End Sub

Sub MakeBrief()
    RunPython "import zoufang.excel.binding as b; b.button_brief()"
End Sub

Sub MakeRota()
    RunPython "import zoufang.excel.binding as b; b.button_rota()"
End Sub

Sub IssueUnits()
    RunPython "import zoufang.excel.binding as b; b.button_issue()"
End Sub

Sub CollectReturns()
    RunPython "import zoufang.excel.binding as b; b.button_collect()"
End Sub

' Ribbon callbacks (customUI14.xml: the zoufang tab)
Sub RibbonValidate(control As IRibbonControl)
    ValidateData
End Sub

Sub RibbonRefresh(control As IRibbonControl)
    RefreshCompletion
End Sub

Sub RibbonLedgers(control As IRibbonControl)
    MakeLedgers
End Sub

Sub RibbonBrief(control As IRibbonControl)
    MakeBrief
End Sub

Sub RibbonRota(control As IRibbonControl)
    MakeRota
End Sub

Sub RibbonIssue(control As IRibbonControl)
    IssueUnits
End Sub

Sub RibbonCollect(control As IRibbonControl)
    CollectReturns
End Sub
